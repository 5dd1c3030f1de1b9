#pragma once

#include <boost/system/error_code.hpp>

#include "settings/settings.hpp"

namespace peerdrop::settings {

// What the HTTP API needs from the settings. SettingsService
// implements it; tests use a fake.
class SettingsAccess {
 public:
  virtual ~SettingsAccess() = default;

  virtual Settings current() const = 0;
  // Stores and applies a validated update; core::Errc::storage_failed (and
  // nothing changed) if it could not be stored.
  virtual boost::system::error_code change(const SettingsUpdate& update) = 0;
};

}  // namespace peerdrop::settings
