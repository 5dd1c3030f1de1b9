#include "store/received_file_store.hpp"

#include <exception>
#include <string>

#include "core/startup_error.hpp"

namespace peerdrop::store {

namespace {

constexpr std::string_view kColumns = "name, size, sha256, from_peer, received_at, transfer_id, file_index";

transfer::ReceivedFile row(const Statement& query) {
  return transfer::ReceivedFile{.name = query.column_text(0),
                                .size = static_cast<std::uint64_t>(query.column_int(1)),
                                .sha256 = query.column_text(2),
                                .from = query.column_text(3),
                                .received_at = query.column_int(4),
                                .transfer_id = query.column_text(5),
                                .index = static_cast<std::uint32_t>(query.column_int(6))};
}

}  // namespace

ReceivedFileStore::ReceivedFileStore(SqliteDatabase& db) : db_(db) {
  try {
    db_.exec(
        "CREATE TABLE IF NOT EXISTS received_files("
        "id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, size INTEGER NOT NULL, "
        "sha256 TEXT NOT NULL, from_peer TEXT NOT NULL, received_at INTEGER NOT NULL, "
        "transfer_id TEXT NOT NULL DEFAULT '', file_index INTEGER NOT NULL DEFAULT 0)");
    // A table made by a version without the transfer columns gets them (its rows keep an empty transfer id).
    bool has_transfer_id = false;
    auto columns = db_.prepare("PRAGMA table_info(received_files)");
    while (columns.step()) has_transfer_id = has_transfer_id || columns.column_text(1) == "transfer_id";
    if (!has_transfer_id) {
      db_.exec("ALTER TABLE received_files ADD COLUMN transfer_id TEXT NOT NULL DEFAULT ''");
      db_.exec("ALTER TABLE received_files ADD COLUMN file_index INTEGER NOT NULL DEFAULT 0");
    }
    db_.exec(
        "CREATE INDEX IF NOT EXISTS received_files_by_transfer ON received_files(from_peer, transfer_id, file_index)");
  } catch (const std::exception& e) {
    throw core::StartupError(std::string("cannot prepare the received files table: ") + e.what());
  }
}

void ReceivedFileStore::add(const transfer::ReceivedFile& file) {
  db_.exec("BEGIN IMMEDIATE");
  try {
    db_.prepare("INSERT INTO received_files(" + std::string(kColumns) + ") VALUES(?, ?, ?, ?, ?, ?, ?)")
        .bind(1, file.name)
        .bind(2, static_cast<std::int64_t>(file.size))
        .bind(3, file.sha256)
        .bind(4, file.from)
        .bind(5, file.received_at)
        .bind(6, file.transfer_id)
        .bind(7, static_cast<std::int64_t>(file.index))
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
  auto query = db_.prepare("SELECT " + std::string(kColumns) + " FROM received_files ORDER BY id DESC LIMIT ?");
  query.bind(1, static_cast<std::int64_t>(limit));
  while (query.step()) out.push_back(row(query));
  return out;
}

std::optional<transfer::ReceivedFile> ReceivedFileStore::find(std::string_view from, std::string_view transfer_id,
                                                              std::uint32_t index) {
  if (transfer_id.empty()) return std::nullopt;  // rows of older versions have none
  auto query = db_.prepare("SELECT " + std::string(kColumns) +
                           " FROM received_files WHERE from_peer = ? AND transfer_id = ? AND file_index = ?"
                           " ORDER BY id DESC LIMIT 1");
  query.bind(1, from).bind(2, transfer_id).bind(3, static_cast<std::int64_t>(index));
  if (!query.step()) return std::nullopt;
  return row(query);
}

}  // namespace peerdrop::store
