#include "discovery/peer_store.hpp"

#include <gtest/gtest.h>

#include "core/startup_error.hpp"
#include "support/temp_dir.hpp"

namespace peerdrop::discovery {
namespace {

discovery::PeerInfo sample_peer() {
  const auto key = identity::Identity::generate();
  discovery::PeerInfo peer;
  peer.id = key.peer_id();
  peer.public_key = key.public_key();
  peer.name = "alice";
  peer.addresses = {{"203.0.113.5", 3001}, {"198.51.100.5", 3002}};
  peer.discovery_port = 3001;
  peer.last_seen_ms = 1'764'000'000'000;
  peer.online = true;
  return peer;
}

TEST(PeerStore, RemembersPeersAcrossRestarts) {
  testing::TempDir dir;
  const auto peer = sample_peer();
  {
    store::SqliteDatabase db(dir.path() / "peerdrop.db");
    PeerStore store(db);
    store.save_peer(peer);
    auto renamed = peer;
    renamed.name = "alice 2";
    store.save_peer(renamed);  // an update, not a second row
  }
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  PeerStore store(db);
  const auto loaded = store.load_peers().value();
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded[0].id, peer.id);
  EXPECT_EQ(loaded[0].name, "alice 2");
  EXPECT_EQ(loaded[0].public_key, peer.public_key);
  EXPECT_EQ(loaded[0].addresses, peer.addresses);
  EXPECT_EQ(loaded[0].discovery_port, 3001);
  EXPECT_EQ(loaded[0].last_seen_ms, peer.last_seen_ms);
}

TEST(PeerStore, ForgetsPeersAndManualAddresses) {
  testing::TempDir dir;
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  PeerStore store(db);
  const auto peer = sample_peer();
  store.save_peer(peer);
  store.add_manual_address("203.0.113.5:3001");
  store.add_manual_address("203.0.113.5:3001");
  EXPECT_EQ(store.load_manual_addresses().value(), std::vector<std::string>{"203.0.113.5:3001"});
  store.forget_peer(peer.id);
  store.remove_manual_address("203.0.113.5:3001");
  EXPECT_TRUE(store.load_peers().value().empty());
  EXPECT_TRUE(store.load_manual_addresses().value().empty());
}

TEST(PeerStore, SkipsDamagedRowsInsteadOfFailing) {
  testing::TempDir dir;
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  PeerStore store(db);
  db.exec("INSERT INTO peers VALUES('NOTANID', x'00', 'x', 'not json', 1, 0, 0, 0, 0)");
  store.save_peer(sample_peer());
  EXPECT_EQ(store.load_peers().value().size(), 1u);
}

TEST(PeerStore, RefusesADatabaseFromANewerVersion) {
  testing::TempDir dir;
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  db.exec("PRAGMA user_version = 99");
  EXPECT_THROW(PeerStore store(db), core::StartupError);
}

TEST(PeerStore, RemembersWhenAPeerWasLastConnected) {
  testing::TempDir dir;
  auto peer = sample_peer();
  peer.last_connected_ms = 1'764'000'123'456;
  {
    store::SqliteDatabase db(dir.path() / "peerdrop.db");
    PeerStore store(db);
    store.save_peer(peer);
  }
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  PeerStore store(db);
  const auto loaded = store.load_peers().value();
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded[0].last_connected_ms, 1'764'000'123'456);
}

TEST(PeerStore, LoadsTheMostRecentlyConnectedPeersFirst) {
  testing::TempDir dir;
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  PeerStore store(db);
  auto never = sample_peer();
  auto long_ago = sample_peer();
  long_ago.last_connected_ms = 1000;
  auto lately = sample_peer();
  lately.last_connected_ms = 2000;
  for (const auto& peer : {never, long_ago, lately}) store.save_peer(peer);
  const auto loaded = store.load_peers().value();
  ASSERT_EQ(loaded.size(), 3u);
  EXPECT_EQ(loaded[0].id, lately.id);
  EXPECT_EQ(loaded[1].id, long_ago.id);
  EXPECT_EQ(loaded[2].id, never.id);
}

TEST(PeerStore, MigratesAVersion1DatabaseAndKeepsItsData) {
  testing::TempDir dir;
  const auto peer = sample_peer();
  {
    // Exactly what schema version 1 created.
    store::SqliteDatabase db(dir.path() / "peerdrop.db");
    db.exec(
        "CREATE TABLE peers("
        "  id TEXT PRIMARY KEY, public_key BLOB NOT NULL, name TEXT NOT NULL,"
        "  addresses TEXT NOT NULL, discovery_port INTEGER NOT NULL, last_seen INTEGER NOT NULL);"
        "CREATE TABLE manual_addresses(address TEXT PRIMARY KEY);"
        "PRAGMA user_version = 1;");
    db.prepare("INSERT INTO peers VALUES(?, ?, 'alice', '[\"203.0.113.5:3001\"]', 3001, 1764000000000)").value()
        .bind(1, peer.id)
        .bind(2, std::span<const std::uint8_t>(peer.public_key))
        .step();
    db.exec("INSERT INTO manual_addresses VALUES('203.0.113.5:3001')");
  }
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  PeerStore store(db);
  auto version = db.prepare("PRAGMA user_version").value();
  version.step().value();
  EXPECT_EQ(version.column_int(0), 3);
  auto loaded = store.load_peers().value();
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded[0].id, peer.id);
  EXPECT_EQ(loaded[0].name, "alice");
  EXPECT_EQ(loaded[0].addresses.front().to_string(), "203.0.113.5:3001");
  EXPECT_EQ(loaded[0].last_seen_ms, 1'764'000'000'000);
  EXPECT_EQ(loaded[0].last_connected_ms, 0);
  EXPECT_EQ(loaded[0].first_seen_ms, 0);
  EXPECT_FALSE(loaded[0].confirmed);
  EXPECT_EQ(store.load_manual_addresses().value(), std::vector<std::string>{"203.0.113.5:3001"});
  // The new column works, and a second start does not migrate again.
  loaded[0].last_connected_ms = 42;
  store.save_peer(loaded[0]);
  PeerStore again(db);
  EXPECT_EQ(again.load_peers().value().at(0).last_connected_ms, 42);
}

TEST(PeerStore, RemembersWhenAPeerWasFirstSeenAndWhetherTheUserVerifiedIt) {
  testing::TempDir dir;
  auto peer = sample_peer();
  peer.first_seen_ms = 1'764'000'000'001;
  peer.confirmed = true;
  {
    store::SqliteDatabase db(dir.path() / "peerdrop.db");
    PeerStore store(db);
    store.save_peer(peer);
  }
  {
    store::SqliteDatabase db(dir.path() / "peerdrop.db");
    PeerStore store(db);
    const auto loaded = store.load_peers().value();
    ASSERT_EQ(loaded.size(), 1u);
    EXPECT_EQ(loaded[0].first_seen_ms, 1'764'000'000'001);
    EXPECT_TRUE(loaded[0].confirmed);
    auto taken_back = loaded[0];
    taken_back.confirmed = false;
    store.save_peer(taken_back);
  }
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  PeerStore store(db);
  EXPECT_FALSE(store.load_peers().value().at(0).confirmed);
}

TEST(PeerStore, MigratesAVersion2DatabaseAndKeepsItsData) {
  testing::TempDir dir;
  const auto peer = sample_peer();
  {
    // Exactly what schema version 2 had: version 1's tables and last_connected.
    store::SqliteDatabase db(dir.path() / "peerdrop.db");
    db.exec(
        "CREATE TABLE peers("
        "  id TEXT PRIMARY KEY, public_key BLOB NOT NULL, name TEXT NOT NULL,"
        "  addresses TEXT NOT NULL, discovery_port INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
        "  last_connected INTEGER NOT NULL DEFAULT 0);"
        "CREATE TABLE manual_addresses(address TEXT PRIMARY KEY);"
        "PRAGMA user_version = 2;");
    db.prepare("INSERT INTO peers VALUES(?, ?, 'kitchen', '[\"203.0.113.5:3001\"]', 3001, 1764000000000, 1764000000500)")
        .value()
        .bind(1, peer.id)
        .bind(2, std::span<const std::uint8_t>(peer.public_key))
        .step();
  }
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  PeerStore store(db);
  auto version = db.prepare("PRAGMA user_version").value();
  version.step().value();
  EXPECT_EQ(version.column_int(0), 3);
  auto loaded = store.load_peers().value();
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded[0].name, "kitchen");
  EXPECT_EQ(loaded[0].last_seen_ms, 1'764'000'000'000);
  EXPECT_EQ(loaded[0].last_connected_ms, 1'764'000'000'500);
  // Known from before the date was kept: not "new"; and nobody has verified it yet.
  EXPECT_EQ(loaded[0].first_seen_ms, 0);
  EXPECT_FALSE(loaded[0].confirmed);
  loaded[0].confirmed = true;
  store.save_peer(loaded[0]);
  PeerStore again(db);  // a second start does not migrate again
  EXPECT_TRUE(again.load_peers().value().at(0).confirmed);
}

}  // namespace
}  // namespace peerdrop::store
