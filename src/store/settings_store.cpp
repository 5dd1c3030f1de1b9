#include "store/settings_store.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <exception>
#include <utility>

#include "core/startup_error.hpp"
#include "settings/settings_parser.hpp"

namespace peerdrop::store {

SettingsStore::SettingsStore(SqliteDatabase& db) : db_(db) {
  try {
    db_.exec("CREATE TABLE IF NOT EXISTS settings(key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  } catch (const std::exception& e) {
    throw core::StartupError(std::string("cannot prepare the settings table: ") + e.what());
  }
}

settings::Settings SettingsStore::load(const settings::Settings& defaults, std::vector<std::string>* skipped) {
  auto out = defaults;
  auto query = db_.prepare("SELECT key, value FROM settings ORDER BY key");
  while (query.step()) {
    const auto key = query.column_text(0);
    // Each row alone, through the API's own validation: a damaged or
    // hand-edited row cannot smuggle in what PUT /api/settings refuses.
    boost::system::error_code ec;
    auto value = boost::json::parse(query.column_text(1), ec);
    const auto parsed = ec ? settings::ParsedSettingsUpdate{}
                           : settings::parse_settings_update(boost::json::object{{key, std::move(value)}});
    if (!parsed.update) {
      if (skipped) skipped->push_back(key);
      continue;
    }
    out = parsed.update->applied_to(std::move(out));
  }
  return out;
}

void SettingsStore::save(const settings::SettingsUpdate& update) {
  // The stored form keeps the TURN shared secrets (the answers to pages never do).
  const auto json = settings::to_json(update.applied_to({}), settings::Secrets::included);
  const auto& fields = json.get_object();
  std::vector<std::pair<std::string, std::string>> rows;
  if (update.name) rows.emplace_back("name", boost::json::serialize(fields.at("name")));
  if (update.ice_servers) rows.emplace_back("iceServers", boost::json::serialize(fields.at("iceServers")));
  if (update.connect_timeout_ms) {
    rows.emplace_back("connectTimeoutMs", boost::json::serialize(fields.at("connectTimeoutMs")));
  }
  if (update.auto_accept) rows.emplace_back("autoAccept", boost::json::serialize(fields.at("autoAccept")));
  if (update.relay) rows.emplace_back("relay", boost::json::serialize(fields.at("relay")));
  if (rows.empty()) return;
  db_.exec("BEGIN IMMEDIATE");
  try {
    for (const auto& [key, value] : rows) {
      db_.prepare("INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
          .bind(1, key)
          .bind(2, value)
          .step();
    }
    db_.exec("COMMIT");
  } catch (...) {
    db_.exec("ROLLBACK");
    throw;
  }
}

}  // namespace peerdrop::store
