#include "store/peer_store.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstring>

#include "core/startup_error.hpp"
#include "identity/peer_id.hpp"
#include "net/host_port.hpp"

namespace peerdrop::store {

namespace {
constexpr int kSchemaVersion = 2;
}

PeerStore::PeerStore(SqliteDatabase& db) : db_(db) {
  try {
    const auto current = [this] {
      auto version = db_.prepare("PRAGMA user_version");  // finalized before the schema changes
      version.step();
      return version.column_int(0);
    }();
    if (current > kSchemaVersion) {
      throw core::StartupError("the database was written by a newer peerdropd (schema " + std::to_string(current) +
                               "); upgrade peerdropd or use another --data-dir");
    }
    // Each step in one transaction with its new version number, so a crash
    // in the middle leaves the previous schema, never half of the next one.
    if (current < 1) {
      db_.exec(
          "BEGIN IMMEDIATE;"
          "CREATE TABLE IF NOT EXISTS peers("
          "  id TEXT PRIMARY KEY, public_key BLOB NOT NULL, name TEXT NOT NULL,"
          "  addresses TEXT NOT NULL, discovery_port INTEGER NOT NULL, last_seen INTEGER NOT NULL);"
          "CREATE TABLE IF NOT EXISTS manual_addresses(address TEXT PRIMARY KEY);"
          "PRAGMA user_version = 1;"
          "COMMIT;");
    }
    if (current < 2) {
      db_.exec(
          "BEGIN IMMEDIATE;"
          "ALTER TABLE peers ADD COLUMN last_connected INTEGER NOT NULL DEFAULT 0;"
          "PRAGMA user_version = 2;"
          "COMMIT;");
    }
  } catch (const core::StartupError&) {
    throw;
  } catch (const std::exception& e) {
    try {
      db_.exec("ROLLBACK");  // a failed step leaves its transaction open
    } catch (const std::exception&) {
      // there was none
    }
    throw core::StartupError(std::string("cannot prepare the peer database: ") + e.what());
  }
}

std::vector<discovery::PeerInfo> PeerStore::load_peers() {
  std::vector<discovery::PeerInfo> out;
  // Most recently connected first, then most recently seen: if there are more
  // than the peer table holds, these are the ones it keeps.
  auto query = db_.prepare(
      "SELECT id, public_key, name, addresses, discovery_port, last_seen, last_connected FROM peers "
      "ORDER BY last_connected DESC, last_seen DESC");
  while (query.step()) {
    discovery::PeerInfo peer;
    peer.id = query.column_text(0);
    const auto key = query.column_blob(1);
    if (key.size() != peer.public_key.size()) continue;
    std::memcpy(peer.public_key.data(), key.data(), key.size());
    if (identity::derive_peer_id(peer.public_key) != peer.id) continue;  // damaged row
    peer.name = query.column_text(2);
    boost::system::error_code ec;
    const auto addresses = boost::json::parse(query.column_text(3), ec);
    if (!ec && addresses.is_array()) {
      for (const auto& item : addresses.get_array()) {
        if (!item.is_string()) continue;
        if (auto hp = net::HostPort::parse(item.get_string(), 0); hp && hp->port != 0) {
          peer.addresses.push_back({hp->host, hp->port});
        }
      }
    }
    peer.discovery_port = static_cast<std::uint16_t>(query.column_int(4));
    peer.last_seen_ms = query.column_int(5);
    peer.last_connected_ms = query.column_int(6);
    out.push_back(std::move(peer));
  }
  return out;
}

void PeerStore::save_peer(const discovery::PeerInfo& peer) {
  boost::json::array addresses;
  for (const auto& a : peer.addresses) addresses.emplace_back(a.to_string());
  db_.prepare(
         "INSERT INTO peers(id, public_key, name, addresses, discovery_port, last_seen, last_connected) "
         "VALUES(?,?,?,?,?,?,?) "
         "ON CONFLICT(id) DO UPDATE SET name=excluded.name, addresses=excluded.addresses, "
         "discovery_port=excluded.discovery_port, last_seen=excluded.last_seen, "
         "last_connected=excluded.last_connected")
      .bind(1, peer.id)
      .bind_blob(2, peer.public_key.data(), peer.public_key.size())
      .bind(3, peer.name)
      .bind(4, boost::json::serialize(addresses))
      .bind(5, std::int64_t{peer.discovery_port})
      .bind(6, peer.last_seen_ms)
      .bind(7, peer.last_connected_ms)
      .step();
}

void PeerStore::forget_peer(const std::string& id) { db_.prepare("DELETE FROM peers WHERE id = ?").bind(1, id).step(); }

std::vector<std::string> PeerStore::load_manual_addresses() {
  std::vector<std::string> out;
  auto query = db_.prepare("SELECT address FROM manual_addresses ORDER BY address");
  while (query.step()) out.push_back(query.column_text(0));
  return out;
}

void PeerStore::add_manual_address(const std::string& address) {
  db_.prepare("INSERT OR IGNORE INTO manual_addresses(address) VALUES(?)").bind(1, address).step();
}

void PeerStore::remove_manual_address(const std::string& address) {
  db_.prepare("DELETE FROM manual_addresses WHERE address = ?").bind(1, address).step();
}

}  // namespace peerdrop::store
