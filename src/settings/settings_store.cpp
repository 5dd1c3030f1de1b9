#include "settings/settings_store.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <utility>

#include "core/startup_error.hpp"
#include "settings/settings_parser.hpp"
#include "store/transaction.hpp"

namespace peerdrop::settings {

SettingsStore::SettingsStore(store::SqliteDatabase& db) : db_(db) {
  if (const auto ec = db_.exec("CREATE TABLE IF NOT EXISTS settings(key TEXT PRIMARY KEY, value TEXT NOT NULL)")) {
    throw core::StartupError("cannot prepare the settings table: " + ec.message());
  }
}

Settings SettingsStore::load(const Settings& defaults, std::vector<std::string>* skipped) {
  auto out = defaults;
  auto query = db_.prepare("SELECT key, value FROM settings ORDER BY key");
  const auto ec = !query ? query.error() : query->each_row([&](const store::Statement& row) {
    const auto key = row.column_text(0);
    // Each row alone, through the API's own validation: a damaged or
    // hand-edited row cannot smuggle in what PUT /api/settings refuses.
    boost::system::error_code parse_ec;
    auto value = boost::json::parse(row.column_text(1), parse_ec);
    const auto parsed =
        parse_ec ? ParsedSettingsUpdate{} : parse_settings_update(boost::json::object{{key, std::move(value)}});
    if (!parsed.update) {
      if (skipped) skipped->push_back(key);
      return;
    }
    out = parsed.update->applied_to(std::move(out));
  });
  if (ec) {
    if (skipped) skipped->push_back("(all: " + ec.message() + ")");
    return defaults;
  }
  return out;
}

boost::system::error_code SettingsStore::save(const SettingsUpdate& update) {
  // The stored form keeps the TURN shared secrets (the answers to pages never do).
  const auto json = to_json(update.applied_to({}), Secrets::included);
  const auto& fields = json.get_object();
  std::vector<std::pair<std::string, std::string>> rows;
  if (update.name) rows.emplace_back("name", boost::json::serialize(fields.at("name")));
  if (update.ice_servers) rows.emplace_back("iceServers", boost::json::serialize(fields.at("iceServers")));
  if (update.connect_timeout_ms) {
    rows.emplace_back("connectTimeoutMs", boost::json::serialize(fields.at("connectTimeoutMs")));
  }
  if (update.auto_accept) rows.emplace_back("autoAccept", boost::json::serialize(fields.at("autoAccept")));
  if (update.relay) rows.emplace_back("relay", boost::json::serialize(fields.at("relay")));
  if (rows.empty()) return {};
  auto tx = store::Transaction::begin(db_);
  if (!tx) return tx.error();
  for (const auto& [key, value] : rows) {
    if (const auto ec = db_.run(
            "INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key,
            value)) {
      return ec;
    }
  }
  return tx->commit();
}

}  // namespace peerdrop::settings
