#pragma once

#include <vector>

#include "settings/settings_access.hpp"
#include "core/errc.hpp"

namespace peerdrop::testing {

// SettingsAccess that keeps the settings in memory and records every change.
class FakeSettings : public settings::SettingsAccess {
 public:
  settings::Settings current() const override { return settings; }
  boost::system::error_code change(const settings::SettingsUpdate& update) override {
    if (fail) return core::make_error_code(core::Errc::storage_failed);
    changes.push_back(update);
    settings = update.applied_to(settings);
    return {};
  }

  settings::Settings settings{.name = "self"};
  std::vector<settings::SettingsUpdate> changes;
  bool fail = false;
};

}  // namespace peerdrop::testing
