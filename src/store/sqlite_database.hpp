#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace peerdrop::store {

// One prepared statement (RAII over sqlite3_stmt). Bind indexes start at 1.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind_blob(int index, const void* data, std::size_t size);
  // Advances; true while there is a row.
  bool step();
  std::string column_text(int index) const;
  std::int64_t column_int(int index) const;
  std::vector<std::uint8_t> column_blob(int index) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// An open SQLite database (RAII over sqlite3). Errors on open and schema are
// start-up errors (core::StartupError); later failures are logged by callers.
class SqliteDatabase {
 public:
  explicit SqliteDatabase(const std::filesystem::path& path);
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;
  ~SqliteDatabase();

  void exec(std::string_view sql);  // throws std::runtime_error with SQLite's message
  Statement prepare(std::string_view sql) { return Statement(db_, sql); }
  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace peerdrop::store
