#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <string>
#include <vector>

#include "discovery/peer_info.hpp"
#include "store/sqlite_database.hpp"

namespace peerdrop::discovery {

// Peers and manual addresses that survive a restart, so a peer met once in
// another subnet is found again without --scan. Schema version 3
// (PRAGMA user_version; older versions are migrated: 1 lacked last_connected,
// 2 first_seen and confirmed, which read as 0 and false for their peers):
//   peers(id PK, public_key, name, addresses JSON array, discovery_port, last_seen, last_connected,
//         first_seen, confirmed)
//   manual_addresses(address PK)
// Failures after start-up are values (store::sqlite_category()).
class PeerStore {
 public:
  explicit PeerStore(store::SqliteDatabase& db);  // creates or migrates the schema (StartupError)

  boost::system::result<std::vector<PeerInfo>> load_peers();
  boost::system::error_code save_peer(const PeerInfo& peer);
  boost::system::error_code forget_peer(const std::string& id);

  boost::system::result<std::vector<std::string>> load_manual_addresses();
  boost::system::error_code add_manual_address(const std::string& address);
  boost::system::error_code remove_manual_address(const std::string& address);

 private:
  store::SqliteDatabase& db_;
};

}  // namespace peerdrop::discovery
