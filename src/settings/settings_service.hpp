#pragma once

#include <functional>
#include <string>
#include <vector>

#include "settings/settings_access.hpp"
#include "core/logging.hpp"
#include "settings/settings.hpp"
#include "settings/settings_store.hpp"

namespace peerdrop::settings {

// Holds the settings in effect: the stored ones over the defaults. A change
// is stored first, then takes effect, then the owner is told (to rename the
// daemon and tell the UI tabs). TURN usernames and credentials are never logged.
class SettingsService final : public SettingsAccess {
 public:
  // `changed`: the API names of the fields that changed.
  using ChangeHandler = std::function<void(const Settings& now, const std::vector<std::string>& changed)>;

  // Loads the stored settings (a stored value that is no longer valid is
  // ignored with a warning). `on_change` is told after every change that took effect.
  SettingsService(SettingsStore& store, Settings defaults, ChangeHandler on_change, core::Logger logger);

  const Settings& settings() const { return current_; }

  // SettingsAccess
  Settings current() const override { return current_; }
  boost::system::error_code change(const SettingsUpdate& update) override;

 private:
  SettingsStore& store_;
  ChangeHandler on_change_;
  core::Logger logger_;
  Settings current_;
};

}  // namespace peerdrop::settings
