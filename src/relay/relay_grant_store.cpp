#include "relay/relay_grant_store.hpp"

#include "core/startup_error.hpp"

namespace peerdrop::relay {

RelayGrantStore::RelayGrantStore(store::SqliteDatabase& db) : db_(db) {
  if (const auto ec =
          db_.exec("CREATE TABLE IF NOT EXISTS relay_grants(peer_id TEXT PRIMARY KEY, expires INTEGER NOT NULL)")) {
    throw core::StartupError("cannot prepare the relay grants table: " + ec.message());
  }
}

std::map<std::string, std::int64_t> RelayGrantStore::load(std::int64_t now_unix_s) {
  std::map<std::string, std::int64_t> out;
  db_.run("DELETE FROM relay_grants WHERE expires <= ?", now_unix_s);
  auto query = db_.prepare("SELECT peer_id, expires FROM relay_grants");
  if (!query) return out;
  const auto ec = query->each_row([&](const store::Statement& row) { out[row.column_text(0)] = row.column_int(1); });
  if (ec) out.clear();
  return out;
}

boost::system::error_code RelayGrantStore::save(const std::string& peer_id, std::int64_t expires_unix_s) {
  return db_.run(
      "INSERT INTO relay_grants(peer_id, expires) VALUES(?, ?) "
      "ON CONFLICT(peer_id) DO UPDATE SET expires = max(expires, excluded.expires)",
      peer_id, expires_unix_s);
}

}  // namespace peerdrop::relay
