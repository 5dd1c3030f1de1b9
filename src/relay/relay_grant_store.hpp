#pragma once

#include <boost/system/error_code.hpp>
#include <cstdint>
#include <map>
#include <string>

#include "store/sqlite_database.hpp"

namespace peerdrop::relay {

// Who holds credentials for this daemon's relay, and until when, so the cap
// on holders (RelayGrantIssuer) survives a restart: the credentials do (they
// are checked against the relay's secret alone). One table:
//   relay_grants(peer_id TEXT PRIMARY KEY, expires INTEGER NOT NULL)  -- Unix seconds
class RelayGrantStore {
 public:
  explicit RelayGrantStore(store::SqliteDatabase& db);  // creates the table (StartupError)

  // Every holder whose credentials expire after `now_unix_s`, with their expiry;
  // the others are deleted. Nothing if the table cannot be read.
  std::map<std::string, std::int64_t> load(std::int64_t now_unix_s);
  // The peer holds credentials until `expires_unix_s` (a later expiry is kept).
  boost::system::error_code save(const std::string& peer_id, std::int64_t expires_unix_s);

 private:
  store::SqliteDatabase& db_;
};

}  // namespace peerdrop::relay
