#include "settings/settings_service.hpp"

#include "core/errc.hpp"

namespace peerdrop::settings {

namespace {

// "name, iceServers (2 servers)": what changed, never the values of secrets.
std::string describe(const Settings& now, const std::vector<std::string>& changed) {
  std::string out;
  for (const auto& field : changed) {
    if (!out.empty()) out += ", ";
    out += field;
    if (field == "iceServers") {
      out += " (" + std::to_string(now.ice_servers.size()) +
             (now.ice_servers.size() == 1 ? " server)" : " servers)");
    } else if (field == "autoAccept") {
      out += " (" + std::to_string(now.auto_accept.size()) + (now.auto_accept.size() == 1 ? " peer)" : " peers)");
    } else if (field == "connectTimeoutMs") {
      out += " (" + std::to_string(now.connect_timeout_ms) + " ms)";
    } else if (field == "relay") {
      out += now.relay ? " (on)" : " (off)";
    }
  }
  return out;
}

}  // namespace

SettingsService::SettingsService(SettingsStore& store, Settings defaults, ChangeHandler on_change, core::Logger logger)
    : store_(store), on_change_(std::move(on_change)), logger_(std::move(logger)) {
  std::vector<std::string> skipped;
  current_ = store_.load(defaults, &skipped);
  for (const auto& key : skipped) {
    logger_->warn("ignored the stored setting \"{}\": it is not valid (the default applies)", key);
  }
}

boost::system::error_code SettingsService::change(const SettingsUpdate& update) {
  if (const auto ec = store_.save(update)) {
    logger_->error("could not store the settings: {}", ec.message());
    return core::make_error_code(core::Errc::storage_failed);
  }
  auto next = update.applied_to(current_);
  const auto changed = changed_fields(current_, next);
  current_ = std::move(next);
  if (changed.empty()) return {};
  logger_->info("settings changed: {}", describe(current_, changed));
  if (on_change_) on_change_(current_, changed);
  return {};
}

}  // namespace peerdrop::settings
