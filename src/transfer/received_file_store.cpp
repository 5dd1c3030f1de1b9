#include "transfer/received_file_store.hpp"

#include <string>

#include "core/startup_error.hpp"
#include "store/transaction.hpp"

namespace peerdrop::transfer {

namespace {

constexpr std::string_view kColumns = "name, size, sha256, from_peer, received_at, transfer_id, file_index";

ReceivedFile row_of(const store::Statement& row) {
  return ReceivedFile{.name = row.column_text(0),
                      .size = static_cast<std::uint64_t>(row.column_int(1)),
                      .sha256 = row.column_text(2),
                      .from = row.column_text(3),
                      .received_at = row.column_int(4),
                      .transfer_id = row.column_text(5),
                      .index = static_cast<std::uint32_t>(row.column_int(6))};
}

boost::system::error_code create_table(store::SqliteDatabase& db) {
  if (auto ec = db.exec(
          "CREATE TABLE IF NOT EXISTS received_files("
          "id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, size INTEGER NOT NULL, "
          "sha256 TEXT NOT NULL, from_peer TEXT NOT NULL, received_at INTEGER NOT NULL, "
          "transfer_id TEXT NOT NULL DEFAULT '', file_index INTEGER NOT NULL DEFAULT 0)")) {
    return ec;
  }
  // A table made by a version without the transfer columns gets them (its rows keep an empty transfer id).
  bool has_transfer_id = false;
  auto columns = db.prepare("PRAGMA table_info(received_files)");
  if (!columns) return columns.error();
  if (auto ec = columns->each_row([&](const store::Statement& row) {
        has_transfer_id = has_transfer_id || row.column_text(1) == "transfer_id";
      })) {
    return ec;
  }
  if (!has_transfer_id) {
    if (auto ec = db.exec("ALTER TABLE received_files ADD COLUMN transfer_id TEXT NOT NULL DEFAULT ''")) return ec;
    if (auto ec = db.exec("ALTER TABLE received_files ADD COLUMN file_index INTEGER NOT NULL DEFAULT 0")) return ec;
  }
  return db.exec(
      "CREATE INDEX IF NOT EXISTS received_files_by_transfer ON received_files(from_peer, transfer_id, file_index)");
}

}  // namespace

ReceivedFileStore::ReceivedFileStore(store::SqliteDatabase& db) : db_(db) {
  if (const auto ec = create_table(db_)) {
    throw core::StartupError("cannot prepare the received files table: " + ec.message());
  }
}

boost::system::error_code ReceivedFileStore::add(const ReceivedFile& file) {
  auto tx = store::Transaction::begin(db_);
  if (!tx) return tx.error();
  if (auto ec = db_.run("INSERT INTO received_files(" + std::string(kColumns) + ") VALUES(?, ?, ?, ?, ?, ?, ?)",
                        file.name, file.size, file.sha256, file.from, file.received_at, file.transfer_id,
                        file.index)) {
    return ec;
  }
  if (auto ec = db_.run(
          "DELETE FROM received_files WHERE id <= "
          "(SELECT id FROM received_files ORDER BY id DESC LIMIT 1 OFFSET ?)",
          kMaxKept)) {
    return ec;
  }
  return tx->commit();
}

boost::system::result<std::vector<ReceivedFile>> ReceivedFileStore::recent(std::size_t limit) {
  std::vector<ReceivedFile> out;
  auto query = db_.query("SELECT " + std::string(kColumns) + " FROM received_files ORDER BY id DESC LIMIT ?", limit);
  if (!query) return query.error();
  if (auto ec = query->each_row([&](const store::Statement& row) { out.push_back(row_of(row)); })) return ec;
  return out;
}

boost::system::result<std::optional<ReceivedFile>> ReceivedFileStore::find(std::string_view from,
                                                                           std::string_view transfer_id,
                                                                           std::uint32_t index) {
  if (transfer_id.empty()) return std::optional<ReceivedFile>();  // rows of older versions have none
  auto query = db_.query("SELECT " + std::string(kColumns) +
                             " FROM received_files WHERE from_peer = ? AND transfer_id = ? AND file_index = ?"
                             " ORDER BY id DESC LIMIT 1",
                         from, transfer_id, index);
  if (!query) return query.error();
  const auto found = query->step();
  if (!found) return found.error();
  if (!*found) return std::optional<ReceivedFile>();
  return std::optional<ReceivedFile>(row_of(*query));
}

}  // namespace peerdrop::transfer
