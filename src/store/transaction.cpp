#include "store/transaction.hpp"

#include <utility>

#include "store/sqlite_database.hpp"

namespace peerdrop::store {

boost::system::result<Transaction> Transaction::begin(SqliteDatabase& db) {
  if (const auto ec = db.exec("BEGIN IMMEDIATE")) return ec;
  return Transaction(db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  if (db_) db_->exec("ROLLBACK");  // a failed statement may have rolled back already: then this fails, harmlessly
}

boost::system::error_code Transaction::commit() {
  auto* db = std::exchange(db_, nullptr);
  if (!db) return {};
  if (const auto ec = db->exec("COMMIT")) {
    db->exec("ROLLBACK");
    return ec;
  }
  return {};
}

}  // namespace peerdrop::store
