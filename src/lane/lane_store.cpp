#include "lane/lane_store.hpp"

#include <boost/json/serialize.hpp>
#include <string>

#include "core/json_fields.hpp"
#include "core/limits.hpp"
#include "core/startup_error.hpp"

namespace peerdrop::lane {

namespace json = boost::json;

namespace {

std::string files_json(const std::vector<LaneFile>& files) {
  json::array out;
  out.reserve(files.size());
  for (const auto& f : files) {
    json::object o{{"path", f.path}, {"size", f.size}};
    if (!f.source.empty()) {
      o["source"] = f.source;
      o["mtime_ns"] = f.mtime_ns;
    }
    if (f.from_page) o["page"] = true;
    out.push_back(std::move(o));
  }
  return json::serialize(out);
}

// Our own rows: a row that does not read back is skipped, not trusted.
bool read_files(std::string_view text, std::vector<LaneFile>& files) {
  auto parsed = core::parse_json(text, 4);
  if (!parsed || !parsed->is_array()) return false;
  for (const auto& v : parsed->as_array()) {
    if (!v.is_object()) return false;
    const auto& o = v.as_object();
    const auto* path = core::string_field(o, "path");
    const auto size = core::whole_field(o, "size", core::kMaxSafeInteger);
    if (!path || !size) return false;
    LaneFile f{.path = std::string(*path), .size = *size, .source = {}, .mtime_ns = 0};
    if (const auto* source = core::string_field(o, "source")) f.source = std::string(*source);
    if (const auto mtime = core::int_field(o, "mtime_ns")) f.mtime_ns = *mtime;
    f.from_page = core::bool_field(o, "page").value_or(false);
    files.push_back(std::move(f));
  }
  return true;
}

}  // namespace

LaneStore::LaneStore(store::SqliteDatabase& db, std::size_t max_finished) : db_(db), max_finished_(max_finished) {
  if (const auto ec = db_.exec(
          "CREATE TABLE IF NOT EXISTS lane_transfers("
          "direction TEXT NOT NULL, peer TEXT NOT NULL, tid TEXT NOT NULL, files TEXT NOT NULL, "
          "state TEXT NOT NULL, code TEXT NOT NULL, reason TEXT NOT NULL, answered_by TEXT NOT NULL, "
          "created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, "
          "PRIMARY KEY(direction, peer, tid))")) {
    throw core::StartupError("cannot prepare the transfers table: " + ec.message());
  }
}

boost::system::error_code LaneStore::save(const LaneTransfer& t) {
  if (auto ec = db_.run(
          "INSERT OR REPLACE INTO lane_transfers(direction, peer, tid, files, state, code, reason, answered_by, "
          "created_at, expires_at, updated_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          std::string(t.direction == Direction::incoming ? "in" : "out"), t.peer, t.tid, files_json(t.files),
          std::string(to_string(t.state)), t.code, t.reason, t.answered_by, t.created_at, t.expires_at,
          t.updated_at)) {
    return ec;
  }
  return is_final(t.state) ? trim() : boost::system::error_code{};
}

boost::system::error_code LaneStore::trim() {
  return db_.run(
      "DELETE FROM lane_transfers WHERE state NOT IN ('offered', 'accepted') AND rowid NOT IN ("
      "SELECT rowid FROM lane_transfers WHERE state NOT IN ('offered', 'accepted') "
      "ORDER BY updated_at DESC LIMIT ?)",
      static_cast<std::int64_t>(max_finished_));
}

boost::system::result<std::vector<LaneTransfer>> LaneStore::load_all() {
  auto rows = db_.prepare(
      "SELECT direction, peer, tid, files, state, code, reason, answered_by, created_at, expires_at, updated_at "
      "FROM lane_transfers ORDER BY created_at");
  if (!rows) return rows.error();
  std::vector<LaneTransfer> out;
  if (auto ec = rows->each_row([&](const store::Statement& row) {
        LaneTransfer t;
        t.direction = row.column_text(0) == "in" ? Direction::incoming : Direction::outgoing;
        t.peer = row.column_text(1);
        t.tid = row.column_text(2);
        if (!read_files(row.column_text(3), t.files) || !parse_state(row.column_text(4), t.state)) return;
        t.code = row.column_text(5);
        t.reason = row.column_text(6);
        t.answered_by = row.column_text(7);
        t.created_at = row.column_int(8);
        t.expires_at = row.column_int(9);
        t.updated_at = row.column_int(10);
        out.push_back(std::move(t));
      })) {
    return ec;
  }
  return out;
}

}  // namespace peerdrop::lane
