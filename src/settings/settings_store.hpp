#pragma once

#include <boost/system/error_code.hpp>
#include <string>
#include <vector>

#include "settings/settings.hpp"
#include "store/sqlite_database.hpp"

namespace peerdrop::settings {

// The user's settings (Settings) that survive a restart. Only what the user
// changed is stored, one row per field, the value as the API's JSON:
//   settings(key PK: "name" | "iceServers" | "connectTimeoutMs" | "autoAccept" | "relay", value JSON)
// so a field never changed keeps following its default (the name: --name or
// the host name; relay: off). The table needs no schema version: new fields
// are new rows, and a database from before a field has no row for it.
class SettingsStore {
 public:
  explicit SettingsStore(store::SqliteDatabase& db);  // creates the table (StartupError)

  // `defaults` with the stored fields in place. A stored value that does not
  // pass today's validation is left out and its key added to `skipped`; so is
  // everything when the table cannot be read.
  Settings load(const Settings& defaults, std::vector<std::string>* skipped = nullptr);
  // Stores every field the update sets, in one transaction (all or nothing).
  boost::system::error_code save(const SettingsUpdate& update);

 private:
  store::SqliteDatabase& db_;
};

}  // namespace peerdrop::settings
