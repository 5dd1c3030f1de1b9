#include "store/sqlite_database.hpp"

#include <sqlite3.h>

#include "core/startup_error.hpp"

namespace peerdrop::store {

SqliteDatabase::SqliteDatabase(const std::filesystem::path& path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw core::StartupError("cannot open database " + path.string() + ": " + message);
  }
  sqlite3_busy_timeout(db_, 2000);
  if (const auto ec = exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")) {
    const std::string message = sqlite3_errmsg(db_);
    sqlite3_close(db_);
    db_ = nullptr;
    throw core::StartupError("database " + path.string() + " is unusable: " + message);
  }
}

SqliteDatabase::~SqliteDatabase() { sqlite3_close(db_); }

boost::system::error_code SqliteDatabase::exec(std::string_view sql) {
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) return {};
  return {sqlite3_extended_errcode(db_), sqlite_category()};
}

boost::system::result<Statement> SqliteDatabase::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return boost::system::error_code(sqlite3_extended_errcode(db_), sqlite_category());
  }
  return Statement(db_, stmt);
}

boost::system::result<std::int64_t> SqliteDatabase::user_version() {
  auto statement = prepare("PRAGMA user_version");
  if (!statement) return statement.error();
  auto row = statement->step();
  if (!row) return row.error();
  return *row ? statement->column_int(0) : 0;
}

}  // namespace peerdrop::store
