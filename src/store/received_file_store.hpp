#pragma once

#include <cstddef>
#include <vector>

#include "store/sqlite_database.hpp"
#include "transfer/received_file.hpp"

namespace peerdrop::store {

// The files this daemon received (GET /api/files, the UI's `files` message):
//   received_files(id INTEGER PK AUTOINCREMENT, name, size, sha256, from_peer, received_at Unix ms)
// in the order they landed. Only the newest kMaxKept rows are kept.
class ReceivedFileStore {
 public:
  static constexpr std::size_t kMaxKept = 10'000;

  explicit ReceivedFileStore(SqliteDatabase& db);  // creates the table (StartupError)

  // Records a file that landed. Throws std::runtime_error.
  void add(const transfer::ReceivedFile& file);
  // The newest `limit` files, newest first.
  std::vector<transfer::ReceivedFile> recent(std::size_t limit);

 private:
  SqliteDatabase& db_;
};

}  // namespace peerdrop::store
