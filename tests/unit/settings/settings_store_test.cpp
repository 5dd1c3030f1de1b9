#include "settings/settings_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "support/temp_dir.hpp"

namespace peerdrop::settings {
namespace {

settings::Settings defaults() { return settings::Settings{.name = "host-name"}; }

settings::IceServer turn_server() {
  return settings::IceServer{.urls = {"turn:198.51.100.9:3478?transport=udp", "turns:turn.example:5349"},
                             .username = "alice",
                             .credential = "s3cret"};
}

TEST(SettingsStore, GivesTheDefaultsWhenNothingIsStored) {
  testing::TempDir dir;
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  SettingsStore store(db);
  const auto loaded = store.load(defaults());
  EXPECT_EQ(loaded, defaults());
  EXPECT_EQ(loaded.connect_timeout_ms, 30000);
  EXPECT_TRUE(loaded.ice_servers.empty());
}

TEST(SettingsStore, KeepsChangesAcrossAReopen) {
  testing::TempDir dir;
  {
    store::SqliteDatabase db(dir.path() / "peerdrop.db");
    SettingsStore store(db);
    store.save({.name = "Alice's laptop", .ice_servers = std::vector{turn_server()}});
    store.save({.connect_timeout_ms = 45000});
    store.save({.name = "Alice's other laptop"});  // an update, not a second row
  }
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  SettingsStore store(db);
  const auto loaded = store.load(defaults());
  EXPECT_EQ(loaded.name, "Alice's other laptop");
  ASSERT_EQ(loaded.ice_servers.size(), 1u);
  EXPECT_EQ(loaded.ice_servers[0], turn_server());
  EXPECT_EQ(loaded.connect_timeout_ms, 45000);
  auto count = db.prepare("SELECT COUNT(*) FROM settings").value();
  count.step().value();
  EXPECT_EQ(count.column_int(0), 3);
}

TEST(SettingsStore, AFieldNeverChangedFollowsItsDefault) {
  testing::TempDir dir;
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  SettingsStore store(db);
  store.save({.connect_timeout_ms = 60000});
  // The configured name changed between starts (--name): it applies, since the user never set one.
  const auto loaded = store.load(settings::Settings{.name = "renamed-host"});
  EXPECT_EQ(loaded.name, "renamed-host");
  EXPECT_EQ(loaded.connect_timeout_ms, 60000);
}

TEST(SettingsStore, KeepsTheRelaySwitchAndReadsItsAbsenceAsOff) {
  testing::TempDir dir;
  {
    store::SqliteDatabase db(dir.path() / "peerdrop.db");
    SettingsStore store(db);
    // A database from before the switch: rows for the other fields, none for "relay".
    store.save({.name = "Alice's laptop", .connect_timeout_ms = 45000});
    EXPECT_FALSE(store.load(defaults()).relay);
    store.save({.relay = true});
  }
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  SettingsStore store(db);
  EXPECT_TRUE(store.load(defaults()).relay);
  auto row = db.prepare("SELECT value FROM settings WHERE key = 'relay'").value();
  ASSERT_TRUE(row.step().value());
  EXPECT_EQ(row.column_text(0), "true");
  store.save({.relay = false});
  EXPECT_FALSE(store.load(defaults()).relay);
  // A damaged row is skipped: the switch stays off.
  db.exec("UPDATE settings SET value = '\"yes\"' WHERE key = 'relay'");
  std::vector<std::string> skipped;
  EXPECT_FALSE(store.load(defaults(), &skipped).relay);
  EXPECT_EQ(skipped, std::vector<std::string>{"relay"});
}

TEST(SettingsStore, AnEmptyServerListIsStoredToo) {
  testing::TempDir dir;
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  SettingsStore store(db);
  store.save({.ice_servers = std::vector{turn_server()}});
  store.save({.ice_servers = std::vector<settings::IceServer>{}});
  EXPECT_TRUE(store.load(defaults()).ice_servers.empty());
}

TEST(SettingsStore, SkipsStoredValuesThatAreNotValidAnyMore) {
  testing::TempDir dir;
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  SettingsStore store(db);
  store.save({.name = "kept"});
  db.exec(
      "INSERT INTO settings VALUES('connectTimeoutMs', '1');"
      "INSERT INTO settings VALUES('iceServers', '[{\"urls\":\"javascript:alert(1)\"}]');"
      "INSERT INTO settings VALUES('futureSetting', 'true');"
      "INSERT INTO settings VALUES('colour', 'not json');");
  std::vector<std::string> skipped;
  const auto loaded = store.load(defaults(), &skipped);
  EXPECT_EQ(loaded.name, "kept");
  EXPECT_EQ(loaded.connect_timeout_ms, 30000);
  EXPECT_TRUE(loaded.ice_servers.empty());
  std::sort(skipped.begin(), skipped.end());
  EXPECT_EQ(skipped, (std::vector<std::string>{"colour", "connectTimeoutMs", "futureSetting", "iceServers"}));
}

TEST(SettingsStore, AFailedSaveChangesNothing) {
  testing::TempDir dir;
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  SettingsStore store(db);
  store.save({.name = "before"});
  // The second row of the transaction fails: the first must not stay either.
  db.exec(
      "CREATE TRIGGER refuse_timeout BEFORE INSERT ON settings WHEN NEW.key = 'connectTimeoutMs' "
      "BEGIN SELECT RAISE(ABORT, 'disk full'); END;");
  EXPECT_TRUE(store.save({.name = "after", .connect_timeout_ms = 9000}));  // the error, as a value
  EXPECT_EQ(store.load(defaults()).name, "before");
  store.save({.name = "later"});  // and the database is usable afterwards
  EXPECT_EQ(store.load(defaults()).name, "later");
}

}  // namespace
}  // namespace peerdrop::store

namespace peerdrop::settings {
namespace {

TEST(SettingsStore, KeepsATurnSharedSecret) {
  testing::TempDir dir;
  const settings::IceServer rest{.urls = {"turn:198.51.100.9:3478"}, .secret = "NORTH-SHARED-SECRET"};
  {
    store::SqliteDatabase db(dir.path() / "peerdrop.db");
    SettingsStore(db).save({.ice_servers = std::vector{rest}});
  }
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  const auto loaded = SettingsStore(db).load(defaults());
  ASSERT_EQ(loaded.ice_servers.size(), 1u);
  EXPECT_EQ(loaded.ice_servers[0], rest);
}

}  // namespace
}  // namespace peerdrop::store
