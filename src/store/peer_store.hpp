#pragma once

#include <string>
#include <vector>

#include "discovery/peer_info.hpp"
#include "store/sqlite_database.hpp"

namespace peerdrop::store {

// Peers and manual addresses that survive a restart, so a peer met once in
// another subnet is found again without --scan. Schema version 2
// (PRAGMA user_version; version 1 lacked last_connected and is migrated):
//   peers(id PK, public_key, name, addresses JSON array, discovery_port, last_seen, last_connected)
//   manual_addresses(address PK)
class PeerStore {
 public:
  explicit PeerStore(SqliteDatabase& db);  // creates or migrates the schema (StartupError)

  std::vector<discovery::PeerInfo> load_peers();
  void save_peer(const discovery::PeerInfo& peer);
  void forget_peer(const std::string& id);

  std::vector<std::string> load_manual_addresses();
  void add_manual_address(const std::string& address);
  void remove_manual_address(const std::string& address);

 private:
  SqliteDatabase& db_;
};

}  // namespace peerdrop::store
