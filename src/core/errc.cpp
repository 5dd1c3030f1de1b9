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
