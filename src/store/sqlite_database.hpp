#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <filesystem>
#include <string>
#include <string_view>

#include "store/statement.hpp"

struct sqlite3;

namespace peerdrop::store {

// An open SQLite database (RAII over sqlite3), in WAL mode. Opening is a
// start-up step: a database that cannot be opened throws core::StartupError.
// Everything after that reports SQLite's failures as error_codes of
// sqlite_category() (their message() is SQLite's own sentence), never as
// exceptions. Each domain module owns its tables and their SQL.
class SqliteDatabase {
 public:
  explicit SqliteDatabase(const std::filesystem::path& path);
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;
  ~SqliteDatabase();

  // Runs one or more statements that return no rows.
  boost::system::error_code exec(std::string_view sql);
  boost::system::result<Statement> prepare(std::string_view sql);

  // Prepares `sql`, binds `args` to ?1, ?2, … and runs it to the end.
  template <typename... Args>
  boost::system::error_code run(std::string_view sql, const Args&... args) {
    auto statement = query(sql, args...);
    return statement ? statement->run() : statement.error();
  }
  // Prepares `sql` and binds `args`; step() through its rows.
  template <typename... Args>
  boost::system::result<Statement> query(std::string_view sql, const Args&... args) {
    auto statement = prepare(sql);
    if (statement) {
      int index = 0;
      (statement->bind(++index, args), ...);
    }
    return statement;
  }

  // PRAGMA user_version: a module's schema version (one module uses it: the peers' tables).
  boost::system::result<std::int64_t> user_version();
  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace peerdrop::store
