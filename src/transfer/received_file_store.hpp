#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "store/sqlite_database.hpp"
#include "transfer/received_file.hpp"

namespace peerdrop::transfer {

// The files this daemon received (GET /api/files, the UI's `files` message):
//   received_files(id INTEGER PK AUTOINCREMENT, name, size, sha256, from_peer, received_at Unix ms,
//                  transfer_id, file_index)
// in the order they landed. Only the newest kMaxKept rows are kept. The
// sender's transfer id and the file's index make a repeated finish of a file
// that already landed idempotent (TransferService's finished lookup); rows of
// older versions have an empty transfer id.
class ReceivedFileStore {
 public:
  static constexpr std::size_t kMaxKept = 10'000;

  explicit ReceivedFileStore(store::SqliteDatabase& db);  // creates the table (StartupError)

  // Records a file that landed.
  boost::system::error_code add(const ReceivedFile& file);
  // The newest `limit` files, newest first.
  boost::system::result<std::vector<ReceivedFile>> recent(std::size_t limit);
  // The file `index` of the transfer `transfer_id` from `from`, if it landed
  // (and is still among the rows kept).
  boost::system::result<std::optional<ReceivedFile>> find(std::string_view from, std::string_view transfer_id,
                                                          std::uint32_t index);

 private:
  store::SqliteDatabase& db_;
};

}  // namespace peerdrop::transfer
