#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <concepts>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace peerdrop::store {

// SQLite's result codes as error_codes; message() is SQLite's sentence ("database is locked").
const boost::system::error_category& sqlite_category() noexcept;

// One prepared statement (RAII over sqlite3_stmt), made by SqliteDatabase::prepare.
// Bind indexes start at 1. Failures are values, never exceptions.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& other) noexcept : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  template <std::integral T>
  Statement& bind(int index, T value) {
    return bind_int(index, static_cast<std::int64_t>(value));  // SQLite integers are signed: bit for bit
  }
  Statement& bind(int index, std::span<const std::uint8_t> blob);
  // Advances: true while there is a row, false at the end.
  boost::system::result<bool> step();
  // Steps to the end (for statements without rows).
  boost::system::error_code run();
  // Calls `row(*this)` for every row.
  template <typename F>
  boost::system::error_code each_row(F row) {
    for (;;) {
      const auto more = step();
      if (!more) return more.error();
      if (!*more) return {};
      row(static_cast<const Statement&>(*this));
    }
  }
  std::string column_text(int index) const;
  std::int64_t column_int(int index) const;
  std::vector<std::uint8_t> column_blob(int index) const;

 private:
  Statement& bind_int(int index, std::int64_t value);

  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

}  // namespace peerdrop::store
