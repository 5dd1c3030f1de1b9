#include "discovery/peer_table.hpp"

#include <gtest/gtest.h>

#include "core/errc.hpp"
#include "identity/peer_id.hpp"
#include "support/fake_clock.hpp"

namespace peerdrop::discovery {
namespace {

using namespace std::chrono_literals;

class PeerTableTest : public ::testing::Test {
 protected:
  Announcement from(const identity::Identity& who, std::uint64_t instance, std::uint32_t counter,
                    AnnouncementKind kind = AnnouncementKind::announce) {
    Announcement a;
    a.kind = kind;
    a.instance = instance;
    a.timestamp_ms = static_cast<std::uint64_t>(clock_.unix_ms());
    a.counter = counter;
    a.http_port = 3001;
    a.discovery_port = 3001;
    a.public_key = who.public_key();
    a.name = "peer";
    return a;
  }

  testing::FakeClock clock_;
  identity::Identity self_ = identity::Identity::generate();
  identity::Identity alice_ = identity::Identity::generate();
  PeerTable table_{clock_, self_.public_key(), 42, PeerTable::Limits{.offline_after = 3500ms, .max_peers = 3}};
};

TEST_F(PeerTableTest, AddsANewPeerOnlineByItsId) {
  const auto result = table_.observe(from(alice_, 1, 1), "198.51.100.2", PeerSource::broadcast);
  EXPECT_FALSE(result.error);
  EXPECT_TRUE(result.new_peer);
  EXPECT_TRUE(result.new_instance);
  EXPECT_TRUE(result.came_online);
  const auto peer = table_.find(alice_.peer_id());
  ASSERT_TRUE(peer);
  EXPECT_TRUE(peer->online);
  EXPECT_FALSE(peer->verified);
  EXPECT_TRUE(peer->addresses.empty());  // heard of there: a candidate until a handshake proves it
  EXPECT_EQ(peer->candidates.front().to_string(), "198.51.100.2:3001");
  EXPECT_TRUE(result.new_candidate);
  EXPECT_EQ(source_names(peer->sources), std::vector<std::string>{"broadcast"});
  EXPECT_EQ(peer->last_seen_ms, clock_.unix_ms());
}

TEST_F(PeerTableTest, GoesOfflineAfterTheDocumentedSilenceNotBefore) {
  table_.observe(from(alice_, 1, 1), "198.51.100.2", PeerSource::broadcast);
  clock_.advance(3500ms);
  EXPECT_TRUE(table_.expire().empty());
  clock_.advance(1ms);
  EXPECT_EQ(table_.expire(), std::vector<std::string>{alice_.peer_id()});
  EXPECT_FALSE(table_.find(alice_.peer_id())->online);
  EXPECT_TRUE(table_.expire().empty());  // reported once
  // Kept, not forgotten; back online when heard again.
  const auto again = table_.observe(from(alice_, 1, 2), "198.51.100.2", PeerSource::broadcast);
  EXPECT_TRUE(again.came_online);
}

TEST_F(PeerTableTest, EachPacketResetsTheSilence) {
  table_.observe(from(alice_, 1, 1), "198.51.100.2", PeerSource::broadcast);
  for (std::uint32_t i = 2; i < 10; ++i) {
    clock_.advance(3000ms);
    table_.observe(from(alice_, 1, i), "198.51.100.2", PeerSource::broadcast);
    EXPECT_TRUE(table_.expire().empty());
  }
}

TEST_F(PeerTableTest, GoodbyeMakesThePeerOfflineAtOnce) {
  table_.observe(from(alice_, 1, 1), "198.51.100.2", PeerSource::broadcast);
  const auto result = table_.observe(from(alice_, 1, 2, AnnouncementKind::goodbye), "198.51.100.2",
                                     PeerSource::broadcast);
  EXPECT_TRUE(result.went_offline);
  EXPECT_FALSE(table_.find(alice_.peer_id())->online);
}

TEST_F(PeerTableTest, RejectsReplaysAndDropsDuplicates) {
  const auto announce = from(alice_, 1, 1);
  table_.observe(announce, "198.51.100.2", PeerSource::broadcast);
  EXPECT_EQ(table_.observe(announce, "198.51.100.2", PeerSource::broadcast).error, core::Errc::duplicate);
  table_.observe(from(alice_, 1, 2, AnnouncementKind::goodbye), "198.51.100.2", PeerSource::broadcast);
  // The old announcement sent again must not bring a departed peer back.
  EXPECT_EQ(table_.observe(announce, "198.51.100.2", PeerSource::broadcast).error, core::Errc::replayed);
  EXPECT_FALSE(table_.find(alice_.peer_id())->online);
}

TEST_F(PeerTableTest, AcceptsARestartedPeerOnlyWithALaterTimestamp) {
  table_.observe(from(alice_, 1, 50), "198.51.100.2", PeerSource::broadcast);
  auto old_instance = from(alice_, 2, 1);
  old_instance.timestamp_ms -= 1;  // an instance older than what we saw
  EXPECT_EQ(table_.observe(old_instance, "198.51.100.2", PeerSource::broadcast).error, core::Errc::replayed);
  clock_.advance(10ms);
  const auto restarted = table_.observe(from(alice_, 3, 1), "198.51.100.2", PeerSource::broadcast);
  EXPECT_FALSE(restarted.error);
  EXPECT_TRUE(restarted.new_instance);
}

TEST_F(PeerTableTest, IgnoresItsOwnPacketsAndReportsACopiedIdentity) {
  EXPECT_EQ(table_.observe(from(self_, 42, 1), "198.51.100.2", PeerSource::broadcast).error, core::Errc::own_packet);
  EXPECT_EQ(table_.observe(from(self_, 43, 1), "198.51.100.3", PeerSource::broadcast).error,
            core::Errc::duplicate_identity);
  EXPECT_EQ(table_.size(), 0u);
}

TEST_F(PeerTableTest, WhenFullAnUnverifiedPeerMakesRoomAndAVerifiedOneNever) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    const auto other = identity::Identity::generate();
    ids.push_back(other.peer_id());
    EXPECT_FALSE(table_.observe(from(other, 1, 1), "198.51.100.2", PeerSource::broadcast).error);
    clock_.advance(10ms);
  }
  // The first one heard is proven; of the other two, the one heard longest ago goes.
  EXPECT_TRUE(table_.proven(ids[0], {"198.51.100.2", 3001}));
  const auto newcomer = table_.observe(from(alice_, 1, 1), "198.51.100.9", PeerSource::broadcast);
  EXPECT_FALSE(newcomer.error);
  EXPECT_EQ(newcomer.evicted, ids[1]);
  EXPECT_TRUE(table_.find(ids[0]));
  EXPECT_FALSE(table_.find(ids[1]));
  EXPECT_EQ(table_.size(), 3u);
  // Full of verified peers (and one added by hand), nobody new gets in.
  EXPECT_TRUE(table_.proven(ids[2], {"198.51.100.2", 3001}));
  table_.add_source(alice_.peer_id(), PeerSource::manual);
  const auto refused = table_.observe(from(identity::Identity::generate(), 1, 1), "198.51.100.9", PeerSource::broadcast);
  EXPECT_EQ(refused.error, core::Errc::table_full);
  EXPECT_EQ(table_.size(), 3u);
}

TEST_F(PeerTableTest, AHandshakeMakesACandidateTheAddressTheMostRecentFirstAndAtMostEight) {
  for (std::uint32_t i = 1; i <= 20; ++i) {
    table_.observe(from(alice_, 1, i), "203.0.113." + std::to_string(i), PeerSource::scan);
    table_.proven(alice_.peer_id(), {"203.0.113." + std::to_string(i), 3001});
  }
  const auto peer = table_.find(alice_.peer_id());
  EXPECT_TRUE(peer->verified);
  EXPECT_TRUE(peer->candidates.empty());
  ASSERT_EQ(peer->addresses.size(), 8u);
  EXPECT_EQ(peer->addresses.front().ip, "203.0.113.20");
  // Heard again at a proven address: it comes first, and is no candidate.
  const auto again = table_.observe(from(alice_, 1, 21), "203.0.113.15", PeerSource::scan);
  EXPECT_FALSE(again.new_candidate);
  EXPECT_EQ(table_.find(alice_.peer_id())->addresses.front().ip, "203.0.113.15");
  EXPECT_EQ(table_.find(alice_.peer_id())->addresses.size(), 8u);
  EXPECT_TRUE(table_.find(alice_.peer_id())->candidates.empty());
}

TEST_F(PeerTableTest, KeepsAtMostFourCandidatesAndForgetsAnUnverifiedPeerWithNoneLeft) {
  for (std::uint32_t i = 1; i <= 6; ++i) {
    table_.observe(from(alice_, 1, i), "203.0.113." + std::to_string(i), PeerSource::broadcast);
  }
  auto peer = table_.find(alice_.peer_id());
  ASSERT_EQ(peer->candidates.size(), 4u);
  EXPECT_EQ(peer->candidates.front().ip, "203.0.113.6");
  for (const auto& candidate : peer->candidates) {
    const bool last = candidate == peer->candidates.back();
    EXPECT_EQ(table_.drop_candidate(alice_.peer_id(), candidate), last);
  }
  EXPECT_FALSE(table_.find(alice_.peer_id()));
}

TEST_F(PeerTableTest, AChannelProvesThePeerAndKeepsItOnline) {
  table_.observe(from(alice_, 1, 1), "198.51.100.2", PeerSource::inbound);
  const auto up = table_.channel_changed(alice_.peer_id(), true);
  EXPECT_TRUE(up.changed);  // verified now: worth persisting
  EXPECT_TRUE(table_.find(alice_.peer_id())->verified);
  EXPECT_TRUE(table_.find(alice_.peer_id())->channel);
  clock_.advance(1h);
  EXPECT_TRUE(table_.expire().empty());  // a channel is alive however quiet
  // A dropped candidate does not forget a verified peer.
  EXPECT_FALSE(table_.drop_candidate(alice_.peer_id(), {"198.51.100.2", 3001}));
  table_.channel_changed(alice_.peer_id(), false);
  clock_.advance(3000ms);
  EXPECT_TRUE(table_.expire().empty());
  clock_.advance(1000ms);
  EXPECT_EQ(table_.expire(), std::vector<std::string>{alice_.peer_id()});
}

// A daemon that is stopping says goodbye and closes its channels; a peer that
// reconnects at once completes its side of a TLS 1.3 handshake before the
// stopping daemon refuses it. That channel, without a hello, is no sign of life.
TEST_F(PeerTableTest, AChannelWithoutItsHelloDoesNotBringAPeerThatLeftBack) {
  table_.observe(from(alice_, 1, 1), "198.51.100.2", PeerSource::broadcast);
  table_.channel_changed(alice_.peer_id(), true);
  table_.observe(from(alice_, 1, 2, AnnouncementKind::goodbye), "198.51.100.2", PeerSource::broadcast);
  table_.channel_changed(alice_.peer_id(), false);
  EXPECT_FALSE(table_.find(alice_.peer_id())->online);
  const auto again = table_.channel_changed(alice_.peer_id(), true);
  EXPECT_FALSE(again.came_online);
  EXPECT_FALSE(table_.find(alice_.peer_id())->online);
  // Its hello on a channel is: a probe packet.
  const auto hello = table_.observe(from(alice_, 1, 3, AnnouncementKind::probe), "198.51.100.2", PeerSource::none);
  EXPECT_TRUE(hello.came_online);
}

TEST_F(PeerTableTest, AnOldDaemonIsListedAsOutdated) {
  auto old = from(alice_, 1, 1);
  old.version = 1;
  table_.observe(old, "198.51.100.2", PeerSource::broadcast);
  EXPECT_TRUE(table_.find(alice_.peer_id())->outdated);
  table_.observe(from(alice_, 1, 2), "198.51.100.2", PeerSource::broadcast);  // updated there
  EXPECT_FALSE(table_.find(alice_.peer_id())->outdated);
}

TEST_F(PeerTableTest, AccumulatesSourcesAndRestoresPersistedPeersOffline) {
  PeerInfo remembered;
  remembered.id = alice_.peer_id();
  remembered.public_key = alice_.public_key();
  remembered.name = "alice";
  remembered.addresses = {{"203.0.113.5", 3001}};
  remembered.online = true;  // whatever was stored: offline until heard
  table_.restore(remembered);
  EXPECT_FALSE(table_.find(alice_.peer_id())->online);
  EXPECT_TRUE(table_.find(alice_.peer_id())->verified);  // only proven peers are stored
  const auto result = table_.observe(from(alice_, 1, 1), "203.0.113.5", PeerSource::inbound);
  EXPECT_TRUE(result.came_online);
  EXPECT_FALSE(result.new_candidate);  // its remembered address was proven
  EXPECT_EQ(source_names(table_.find(alice_.peer_id())->sources),
            (std::vector<std::string>{"inbound", "persisted"}));
}

TEST_F(PeerTableTest, ForgetsAPeer) {
  table_.observe(from(alice_, 1, 1), "198.51.100.2", PeerSource::broadcast);
  EXPECT_TRUE(table_.forget(alice_.peer_id()));
  EXPECT_FALSE(table_.forget(alice_.peer_id()));
  EXPECT_EQ(table_.size(), 0u);
}

TEST_F(PeerTableTest, RemembersTheLastConnectionOfAKnownPeerOnly) {
  EXPECT_FALSE(table_.set_last_connected(alice_.peer_id(), clock_.unix_ms()));
  table_.observe(from(alice_, 1, 1), "198.51.100.2", PeerSource::broadcast);
  EXPECT_EQ(table_.find(alice_.peer_id())->last_connected_ms, 0);
  EXPECT_TRUE(table_.set_last_connected(alice_.peer_id(), clock_.unix_ms()));
  const auto connected_at = clock_.unix_ms();
  // Later packets (and expiry) leave it alone.
  clock_.advance(10s);
  table_.observe(from(alice_, 1, 2), "198.51.100.3", PeerSource::scan);
  table_.expire();
  EXPECT_EQ(table_.find(alice_.peer_id())->last_connected_ms, connected_at);
}

TEST_F(PeerTableTest, FollowsTheRelayFlagOfEveryPacketWithoutPersistingIt) {
  auto a = from(alice_, 1, 1);
  EXPECT_FALSE(table_.observe(a, "198.51.100.2", PeerSource::broadcast).relay_changed);
  EXPECT_FALSE(table_.find(alice_.peer_id())->relay);

  a = from(alice_, 1, 2);
  a.flags = Announcement::kFlagRelay;
  auto result = table_.observe(a, "198.51.100.2", PeerSource::broadcast);
  EXPECT_TRUE(result.relay_changed);
  EXPECT_FALSE(result.changed);  // nothing to write to the database
  EXPECT_TRUE(table_.find(alice_.peer_id())->relay);

  a = from(alice_, 1, 3);
  a.flags = Announcement::kFlagRelay;
  EXPECT_FALSE(table_.observe(a, "198.51.100.2", PeerSource::broadcast).relay_changed);

  // Its relay stopped: the next packet says so.
  EXPECT_TRUE(table_.observe(from(alice_, 1, 4), "198.51.100.2", PeerSource::broadcast).relay_changed);
  EXPECT_FALSE(table_.find(alice_.peer_id())->relay);
}

TEST_F(PeerTableTest, APeerThatLeavesNoLongerOffersItsRelay) {
  auto a = from(alice_, 1, 1);
  a.flags = Announcement::kFlagRelay;
  table_.observe(a, "198.51.100.2", PeerSource::broadcast);
  auto bye = from(alice_, 1, 2, AnnouncementKind::goodbye);
  bye.flags = Announcement::kFlagRelay;
  EXPECT_TRUE(table_.observe(bye, "198.51.100.2", PeerSource::broadcast).relay_changed);
  EXPECT_FALSE(table_.find(alice_.peer_id())->relay);

  a = from(alice_, 1, 3);
  a.flags = Announcement::kFlagRelay;
  table_.observe(a, "198.51.100.2", PeerSource::broadcast);
  clock_.advance(3600ms);
  EXPECT_EQ(table_.expire(), std::vector<std::string>{alice_.peer_id()});
  EXPECT_FALSE(table_.find(alice_.peer_id())->relay);
}

}  // namespace
}  // namespace peerdrop::discovery
