#include "store/received_file_store.hpp"

#include <exception>
#include <string>

#include "core/startup_error.hpp"

namespace peerdrop::store {

ReceivedFileStore::ReceivedFileStore(SqliteDatabase& db) : db_(db) {
  try {
    db_.exec(
        "CREATE TABLE IF NOT EXISTS received_files("
        "id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, size INTEGER NOT NULL, "
        "sha256 TEXT NOT NULL, from_peer TEXT NOT NULL, received_at INTEGER NOT NULL)");
  } catch (const std::exception& e) {
    throw core::StartupError(std::string("cannot prepare the received files table: ") + e.what());
  }
}

void ReceivedFileStore::add(const transfer::ReceivedFile& file) {
  db_.exec("BEGIN IMMEDIATE");
  try {
    db_.prepare("INSERT INTO received_files(name, size, sha256, from_peer, received_at) VALUES(?, ?, ?, ?, ?)")
        .bind(1, file.name)
        .bind(2, static_cast<std::int64_t>(file.size))
        .bind(3, file.sha256)
        .bind(4, file.from)
        .bind(5, file.received_at)
        .step();
    db_.prepare(
           "DELETE FROM received_files WHERE id <= "
           "(SELECT id FROM received_files ORDER BY id DESC LIMIT 1 OFFSET ?)")
        .bind(1, static_cast<std::int64_t>(kMaxKept))
        .step();
    db_.exec("COMMIT");
  } catch (...) {
    db_.exec("ROLLBACK");
    throw;
  }
}

std::vector<transfer::ReceivedFile> ReceivedFileStore::recent(std::size_t limit) {
  std::vector<transfer::ReceivedFile> out;
  auto query =
      db_.prepare("SELECT name, size, sha256, from_peer, received_at FROM received_files ORDER BY id DESC LIMIT ?");
  query.bind(1, static_cast<std::int64_t>(limit));
  while (query.step()) {
    out.push_back(transfer::ReceivedFile{.name = query.column_text(0),
                                         .size = static_cast<std::uint64_t>(query.column_int(1)),
                                         .sha256 = query.column_text(2),
                                         .from = query.column_text(3),
                                         .received_at = query.column_int(4)});
  }
  return out;
}

}  // namespace peerdrop::store
