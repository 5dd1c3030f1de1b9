#include "settings/settings_service.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "core/errc.hpp"
#include "support/temp_dir.hpp"

namespace peerdrop::settings {
namespace {

class SettingsServiceTest : public ::testing::Test {
 protected:
  SettingsServiceTest() { logger_->set_level(spdlog::level::trace); }
  SettingsService::ChangeHandler record() {
    return [this](const Settings& now, const std::vector<std::string>& changed) {
      seen_.push_back(now);
      changes_.push_back(changed);
    };
  }

  testing::TempDir dir_;
  store::SqliteDatabase db_{dir_.path() / "peerdrop.db"};
  settings::SettingsStore store_{db_};
  std::ostringstream log_;
  core::Logger logger_ =
      std::make_shared<spdlog::logger>("settings", std::make_shared<spdlog::sinks::ostream_sink_st>(log_));
  std::vector<Settings> seen_;
  std::vector<std::vector<std::string>> changes_;
  SettingsService service_{store_, Settings{.name = "host"}, record(), logger_};
};

TEST_F(SettingsServiceTest, StartsWithTheDefaults) {
  EXPECT_EQ(service_.current(), (Settings{.name = "host"}));
}

TEST_F(SettingsServiceTest, AppliesStoresAndAnnouncesAChange) {
  const IceServer turn{.urls = {"turn:198.51.100.9:3478"}, .username = "USERNAME-X", .credential = "PASSWORD-X"};
  EXPECT_FALSE(service_.change({.name = "Alice", .ice_servers = std::vector{turn, turn}}));
  EXPECT_EQ(service_.current().name, "Alice");
  ASSERT_EQ(changes_.size(), 1u);
  EXPECT_EQ(changes_[0], (std::vector<std::string>{"name", "iceServers"}));
  EXPECT_EQ(seen_[0].ice_servers.size(), 2u);
  EXPECT_EQ(store_.load({}).name, "Alice");
  // What changed is logged, never the secrets.
  EXPECT_NE(log_.str().find("settings changed: name, iceServers (2 servers)"), std::string::npos) << log_.str();
  EXPECT_EQ(log_.str().find("USERNAME-X"), std::string::npos);
  EXPECT_EQ(log_.str().find("PASSWORD-X"), std::string::npos);
}

TEST_F(SettingsServiceTest, TurnsTheRelaySwitchOnAndOff) {
  EXPECT_FALSE(service_.current().relay);
  EXPECT_FALSE(service_.change({.relay = true}));
  EXPECT_TRUE(service_.current().relay);
  EXPECT_FALSE(service_.change({.relay = true}));  // on already: not announced again
  EXPECT_FALSE(service_.change({.relay = false}));
  EXPECT_EQ(changes_, (std::vector<std::vector<std::string>>{{"relay"}, {"relay"}}));
  EXPECT_NE(log_.str().find("settings changed: relay (on)"), std::string::npos) << log_.str();
  EXPECT_NE(log_.str().find("settings changed: relay (off)"), std::string::npos) << log_.str();
  SettingsService again(store_, Settings{.name = "host"}, nullptr, logger_);
  EXPECT_FALSE(again.current().relay);
}

TEST_F(SettingsServiceTest, AChangeThatChangesNothingIsNotAnnounced) {
  EXPECT_FALSE(service_.change({.name = "host", .connect_timeout_ms = 30000}));
  EXPECT_TRUE(changes_.empty());
}

TEST_F(SettingsServiceTest, AStoredChangeSurvivesARestart) {
  EXPECT_FALSE(service_.change({.connect_timeout_ms = 120000}));
  SettingsService again(store_, Settings{.name = "host"}, nullptr, logger_);
  EXPECT_EQ(again.current().connect_timeout_ms, 120000);
}

TEST_F(SettingsServiceTest, ChangesNothingWhenTheDatabaseRefuses) {
  db_.exec("CREATE TRIGGER refuse BEFORE INSERT ON settings BEGIN SELECT RAISE(ABORT, 'disk full'); END;");
  EXPECT_EQ(service_.change({.name = "Alice"}), core::Errc::storage_failed);
  EXPECT_EQ(service_.current().name, "host");
  EXPECT_TRUE(changes_.empty());
}

TEST_F(SettingsServiceTest, IgnoresAnInvalidStoredValueWithAWarning) {
  db_.exec("INSERT INTO settings VALUES('name', '\"\"')");
  SettingsService again(store_, Settings{.name = "host"}, nullptr, logger_);
  EXPECT_EQ(again.current().name, "host");
  EXPECT_NE(log_.str().find("ignored the stored setting \"name\""), std::string::npos) << log_.str();
}

}  // namespace
}  // namespace peerdrop::settings
