#include "store/peer_store.hpp"

#include <gtest/gtest.h>

#include "core/startup_error.hpp"
#include "support/temp_dir.hpp"

namespace peerdrop::store {
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
    SqliteDatabase db(dir.path() / "peerdrop.db");
    PeerStore store(db);
    store.save_peer(peer);
    auto renamed = peer;
    renamed.name = "alice 2";
    store.save_peer(renamed);  // an update, not a second row
  }
  SqliteDatabase db(dir.path() / "peerdrop.db");
  PeerStore store(db);
  const auto loaded = store.load_peers();
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
  SqliteDatabase db(dir.path() / "peerdrop.db");
  PeerStore store(db);
  const auto peer = sample_peer();
  store.save_peer(peer);
  store.add_manual_address("203.0.113.5:3001");
  store.add_manual_address("203.0.113.5:3001");
  EXPECT_EQ(store.load_manual_addresses(), std::vector<std::string>{"203.0.113.5:3001"});
  store.forget_peer(peer.id);
  store.remove_manual_address("203.0.113.5:3001");
  EXPECT_TRUE(store.load_peers().empty());
  EXPECT_TRUE(store.load_manual_addresses().empty());
}

TEST(PeerStore, SkipsDamagedRowsInsteadOfFailing) {
  testing::TempDir dir;
  SqliteDatabase db(dir.path() / "peerdrop.db");
  PeerStore store(db);
  db.exec("INSERT INTO peers VALUES('NOTANID', x'00', 'x', 'not json', 1, 0)");
  store.save_peer(sample_peer());
  EXPECT_EQ(store.load_peers().size(), 1u);
}

TEST(PeerStore, RefusesADatabaseFromANewerVersion) {
  testing::TempDir dir;
  SqliteDatabase db(dir.path() / "peerdrop.db");
  db.exec("PRAGMA user_version = 99");
  EXPECT_THROW(PeerStore store(db), core::StartupError);
}

}  // namespace
}  // namespace peerdrop::store
