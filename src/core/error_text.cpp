#include "core/error_text.hpp"

#include "core/errc.hpp"

namespace peerdrop::core {

bool is_path_error(const boost::system::error_code& ec) {
  return ec == Errc::absolute_path || ec == Errc::path_traversal || ec == Errc::empty_path ||
         ec == Errc::path_too_deep || ec == Errc::path_too_long;
}

ErrorText error_text(const boost::system::error_code& ec) {
  if (is_path_error(ec)) {
    return {"bad_name", "the sender's file name cannot be used in the download folder (" + ec.message() + ")"};
  }
  if (ec.category() == category()) {
    switch (static_cast<Errc>(ec.value())) {
      case Errc::malformed: return {"bad_request", "the request is malformed"};
      case Errc::too_large:
        return {"too_large", "it is larger than allowed (a message over its size limit, or bytes past a file's "
                             "announced size)"};
      case Errc::unknown_peer: return {"unknown_peer", "this peer is not known (any more); refresh the peer list"};
      case Errc::queue_full:
        return {"queue_full",
                "too many messages are waiting for this peer; it may be offline or unreachable. Try again later"};
      case Errc::out_of_order:
        return {"out_of_order",
                "the bytes start past what was received so far; resume from the offset that file_open gives"};
      case Errc::unknown_handle:
        return {"unknown_handle",
                "no file is open with this handle (it was finished, cancelled, or taken over by another tab); "
                "open it again with file_open"};
      case Errc::disk_full: return {"disk_full", "there is not enough space left in the download folder"};
      case Errc::in_use: return {"in_use", "another program is writing this file; try again later"};
      case Errc::too_many_files:
        return {"too_many_files", "this tab has too many files open; finish or cancel some first"};
      case Errc::size_mismatch:
        return {"size_mismatch", "the number of bytes received differs from the size the sender announced"};
      case Errc::hash_mismatch:
        return {"hash_mismatch",
                "what arrived differs from what the sender sent (the SHA-256 does not match); the file was "
                "removed and must be sent again"};
      case Errc::path_blocked:
        return {"path_blocked", "a file or a link in the download folder is in the way of this file's folder"};
      case Errc::name_taken:
        return {"name_taken", "every numbered variant of this file's name is taken in the download folder"};
      case Errc::unknown_transfer:
        return {"unknown_transfer", "there is no such transfer or offer (it may have finished or expired)"};
      case Errc::source_changed:
        return {"source_changed", "a file being sent changed or vanished since it was offered; send it again"};
      case Errc::storage_failed:
        return {"internal", "the database refused the write; nothing was changed"};
      default: break;
    }
  }
  return {"io_error", "it could not be written (" + ec.message() + ")"};
}

}  // namespace peerdrop::core
