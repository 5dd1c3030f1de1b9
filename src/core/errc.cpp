#include "core/errc.hpp"

#include <string>

namespace peerdrop::core {
namespace {

class ErrcCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "peerdrop"; }

  std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
      case Errc::ok: return "success";
      case Errc::malformed: return "malformed input";
      case Errc::too_large: return "input too large";
      case Errc::unsupported_version: return "unsupported protocol version";
      case Errc::bad_signature: return "signature does not verify";
      case Errc::own_packet: return "our own packet";
      case Errc::duplicate_identity: return "another daemon uses this daemon's identity";
      case Errc::replayed: return "replayed packet";
      case Errc::duplicate: return "duplicate packet";
      case Errc::table_full: return "peer table full";
      case Errc::timeout: return "timed out";
      case Errc::not_peerdrop: return "not a PeerDrop daemon";
      case Errc::identity_mismatch: return "id does not match the signed key";
      case Errc::not_for_us: return "addressed to another recipient";
      case Errc::key_changed: return "the sender's key changed since its id was pinned";
      case Errc::expired: return "expired";
      case Errc::queue_full: return "outbox full";
      case Errc::unknown_peer: return "no peer with that id is known";
      case Errc::rate_limited: return "asked to slow down";
      case Errc::storage_failed: return "the database refused a write";
      case Errc::absolute_path: return "the file path is absolute";
      case Errc::path_traversal: return "the file path has a '..' component";
      case Errc::empty_path: return "the file path names no file";
      case Errc::path_too_deep: return "the file path has too many folders";
      case Errc::path_too_long: return "the file path is too long";
      case Errc::out_of_order: return "file data arrived past a gap";
      case Errc::size_mismatch: return "the received file's size differs from the announced size";
      case Errc::hash_mismatch: return "the received file's SHA-256 differs from the sender's";
      case Errc::disk_full: return "no space left in the download folder";
      case Errc::in_use: return "the partial file is already open";
      case Errc::path_blocked: return "a file or link is in the way of a folder of the file's path";
      case Errc::name_taken: return "every numbered variant of the file name is taken";
      case Errc::file_closed: return "the partial file was already finished or discarded";
      case Errc::unknown_handle: return "no open file has that handle";
      case Errc::too_many_files: return "too many files are open";
      case Errc::unknown_transfer: return "no such transfer";
      case Errc::source_changed: return "the file changed since it was offered";
    }
    return "unknown error";
  }
};

}  // namespace

const boost::system::error_category& category() noexcept {
  static const ErrcCategory instance;
  return instance;
}

}  // namespace peerdrop::core
