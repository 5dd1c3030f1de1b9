#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

namespace peerdrop::store {

class SqliteDatabase;

// A write transaction (BEGIN IMMEDIATE) that rolls back unless committed:
//   auto tx = Transaction::begin(db); if (!tx) return tx.error();
//   if (auto ec = db.run(…)) return ec;   // the destructor rolls back
//   return tx->commit();
class Transaction {
 public:
  static boost::system::result<Transaction> begin(SqliteDatabase& db);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  boost::system::error_code commit();

 private:
  explicit Transaction(SqliteDatabase& db) : db_(&db) {}
  SqliteDatabase* db_;  // null once committed, rolled back or moved from
};

}  // namespace peerdrop::store
