#include "discovery/peer_store.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstring>

#include "core/startup_error.hpp"
#include "identity/peer_id.hpp"
#include "net/host_port.hpp"
#include "store/transaction.hpp"

namespace peerdrop::discovery {

namespace {

constexpr int kSchemaVersion = 3;

// Each migration step in one transaction with its new version number, so a
// crash in the middle leaves the previous schema, never half of the next one.
boost::system::error_code migrate(store::SqliteDatabase& db, std::int64_t current) {
  if (current < 1) {
    auto tx = store::Transaction::begin(db);
    if (!tx) return tx.error();
    if (auto ec = db.exec(
            "CREATE TABLE IF NOT EXISTS peers("
            "  id TEXT PRIMARY KEY, public_key BLOB NOT NULL, name TEXT NOT NULL,"
            "  addresses TEXT NOT NULL, discovery_port INTEGER NOT NULL, last_seen INTEGER NOT NULL);"
            "CREATE TABLE IF NOT EXISTS manual_addresses(address TEXT PRIMARY KEY);"
            "PRAGMA user_version = 1;")) {
      return ec;
    }
    if (auto ec = tx->commit()) return ec;
  }
  if (current < 2) {
    auto tx = store::Transaction::begin(db);
    if (!tx) return tx.error();
    if (auto ec = db.exec(
            "ALTER TABLE peers ADD COLUMN last_connected INTEGER NOT NULL DEFAULT 0;"
            "PRAGMA user_version = 2;")) {
      return ec;
    }
    if (auto ec = tx->commit()) return ec;
  }
  if (current < 3) {
    // Peers remembered before have first_seen 0: seen before this daemon kept the date, so never "new".
    auto tx = store::Transaction::begin(db);
    if (!tx) return tx.error();
    if (auto ec = db.exec(
            "ALTER TABLE peers ADD COLUMN first_seen INTEGER NOT NULL DEFAULT 0;"
            "ALTER TABLE peers ADD COLUMN confirmed INTEGER NOT NULL DEFAULT 0;"
            "PRAGMA user_version = 3;")) {
      return ec;
    }
    if (auto ec = tx->commit()) return ec;
  }
  return {};
}

}  // namespace

PeerStore::PeerStore(store::SqliteDatabase& db) : db_(db) {
  const auto current = db_.user_version();
  if (!current) {
    throw core::StartupError("cannot prepare the peer database: " + current.error().message());
  }
  if (*current > kSchemaVersion) {
    throw core::StartupError("the database was written by a newer peerdropd (schema " + std::to_string(*current) +
                             "); upgrade peerdropd or use another --data-dir");
  }
  if (const auto ec = migrate(db_, *current)) {
    throw core::StartupError("cannot prepare the peer database: " + ec.message());
  }
}

boost::system::result<std::vector<PeerInfo>> PeerStore::load_peers() {
  std::vector<PeerInfo> out;
  // Most recently connected first, then most recently seen: if there are more
  // than the peer table holds, these are the ones it keeps.
  auto query = db_.prepare(
      "SELECT id, public_key, name, addresses, discovery_port, last_seen, last_connected, first_seen, confirmed "
      "FROM peers "
      "ORDER BY last_connected DESC, last_seen DESC");
  if (!query) return query.error();
  const auto ec = query->each_row([&](const store::Statement& row) {
    PeerInfo peer;
    peer.id = row.column_text(0);
    const auto key = row.column_blob(1);
    if (key.size() != peer.public_key.size()) return;
    std::memcpy(peer.public_key.data(), key.data(), key.size());
    if (identity::derive_peer_id(peer.public_key) != peer.id) return;  // damaged row
    peer.name = row.column_text(2);
    boost::system::error_code parse_ec;
    const auto addresses = boost::json::parse(row.column_text(3), parse_ec);
    if (!parse_ec && addresses.is_array()) {
      for (const auto& item : addresses.get_array()) {
        if (!item.is_string()) continue;
        if (auto hp = net::HostPort::parse(item.get_string(), 0); hp && hp->port != 0) {
          peer.addresses.push_back({hp->host, hp->port});
        }
      }
    }
    peer.discovery_port = static_cast<std::uint16_t>(row.column_int(4));
    peer.last_seen_ms = row.column_int(5);
    peer.last_connected_ms = row.column_int(6);
    peer.first_seen_ms = row.column_int(7);
    peer.confirmed = row.column_int(8) != 0;
    out.push_back(std::move(peer));
  });
  if (ec) return ec;
  return out;
}

boost::system::error_code PeerStore::save_peer(const PeerInfo& peer) {
  boost::json::array addresses;
  for (const auto& a : peer.addresses) addresses.emplace_back(a.to_string());
  return db_.run(
      "INSERT INTO peers(id, public_key, name, addresses, discovery_port, last_seen, last_connected, first_seen, "
      "confirmed) VALUES(?,?,?,?,?,?,?,?,?) "
      "ON CONFLICT(id) DO UPDATE SET name=excluded.name, addresses=excluded.addresses, "
      "discovery_port=excluded.discovery_port, last_seen=excluded.last_seen, "
      "last_connected=excluded.last_connected, first_seen=excluded.first_seen, confirmed=excluded.confirmed",
      peer.id, std::span<const std::uint8_t>(peer.public_key), peer.name, boost::json::serialize(addresses),
      peer.discovery_port, peer.last_seen_ms, peer.last_connected_ms, peer.first_seen_ms, peer.confirmed);
}

boost::system::error_code PeerStore::forget_peer(const std::string& id) {
  return db_.run("DELETE FROM peers WHERE id = ?", id);
}

boost::system::result<std::vector<std::string>> PeerStore::load_manual_addresses() {
  std::vector<std::string> out;
  auto query = db_.prepare("SELECT address FROM manual_addresses ORDER BY address");
  if (!query) return query.error();
  if (const auto ec = query->each_row([&](const store::Statement& row) { out.push_back(row.column_text(0)); })) {
    return ec;
  }
  return out;
}

boost::system::error_code PeerStore::add_manual_address(const std::string& address) {
  return db_.run("INSERT OR IGNORE INTO manual_addresses(address) VALUES(?)", address);
}

boost::system::error_code PeerStore::remove_manual_address(const std::string& address) {
  return db_.run("DELETE FROM manual_addresses WHERE address = ?", address);
}

}  // namespace peerdrop::discovery
