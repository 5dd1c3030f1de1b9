#include "relay/remote_relays.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "relay/relay_grant.hpp"
#include "relay/turn_credentials.hpp"
#include "support/fake_alarm.hpp"
#include "support/fake_clock.hpp"

namespace peerdrop::relay {
namespace {

using namespace std::chrono_literals;

class RemoteRelaysTest : public ::testing::Test {
 protected:
  RemoteRelaysTest() {
    logger_->set_level(spdlog::level::debug);
  }

  discovery::PeerInfo peer(const identity::Identity& who, const std::string& name, bool online = true,
                           bool relay = true, const std::string& ip = "198.51.100.12") const {
    discovery::PeerInfo p;
    p.id = who.peer_id();
    p.name = name;
    p.public_key = who.public_key();
    p.addresses = {{ip, 3001}};
    p.online = online;
    p.relay = relay;
    p.verified = true;
    return p;
  }

  // What `from` would answer: credentials issued to this daemon for `lifetime`, sealed to its key.
  std::string grant(std::chrono::seconds lifetime = 24h,
                    std::vector<std::string> urls = {"turn:198.51.100.12:3478?transport=udp",
                                                     "turn:198.51.100.12:3478?transport=tcp"},
                    const identity::Identity* to = nullptr) {
    const auto expires_s = clock_.unix_ms() / 1000 + lifetime.count();
    const auto credential = TurnCredentials::derive("relay-secret", expires_s, self_.peer_id());
    const auto sealed = identity::Identity::seal_to(
        (to ? *to : self_).public_key(),
        std::span(reinterpret_cast<const std::uint8_t*>(credential.password.data()), credential.password.size()));
    last_password_ = credential.password;
    return encode_relay_grant(RelayGrant{
        .urls = std::move(urls), .username = credential.username, .sealed = *sealed, .expires_ms = expires_s * 1000});
  }

  std::size_t sent_to(const identity::Identity& who) const {
    return static_cast<std::size_t>(std::count(sent_.begin(), sent_.end(), who.peer_id()));
  }

  testing::FakeClock clock_;
  testing::FakeAlarm alarm_;
  identity::Identity self_ = identity::Identity::generate();
  identity::Identity bob_ = identity::Identity::generate();
  identity::Identity carol_ = identity::Identity::generate();
  std::vector<std::string> sent_;
  bool send_ok_ = true;
  int changes_ = 0;
  std::string last_password_;
  std::ostringstream log_;
  core::Logger logger_ =
      std::make_shared<spdlog::logger>("relay", std::make_shared<spdlog::sinks::ostream_sink_st>(log_));
  RemoteRelays relays_{clock_, alarm_, self_,
                       [this](const std::string& id) {
                         sent_.push_back(id);
                         return send_ok_;
                       },
                       [this] { ++changes_; }, logger_};
};

TEST_F(RemoteRelaysTest, AsksAPeerThatOffersARelayAtOnceAndNoOtherPeer) {
  relays_.update({peer(bob_, "bob"), peer(carol_, "carol", true, false)});
  EXPECT_EQ(sent_, std::vector<std::string>{bob_.peer_id()});
  EXPECT_FALSE(relays_.ready(bob_.peer_id()));
  // The same list again asks nothing new.
  relays_.update({peer(bob_, "bob"), peer(carol_, "carol", true, false)});
  EXPECT_EQ(sent_.size(), 1u);
  // An offline peer is not asked, whatever it said before.
  relays_.update({peer(carol_, "carol", false, true)});
  EXPECT_EQ(sent_to(carol_), 0u);
}

TEST_F(RemoteRelaysTest, KeepsAGrantThatOpensWithItsKey) {
  relays_.update({peer(bob_, "bob")});
  relays_.on_grant(bob_.peer_id(), grant());
  EXPECT_TRUE(relays_.ready(bob_.peer_id()));
  EXPECT_EQ(changes_, 1);
  const auto relay = relays_.relay_for(bob_.peer_id());
  ASSERT_TRUE(relay);
  EXPECT_EQ(relay->peer_id, bob_.peer_id());
  EXPECT_EQ(relay->urls, (std::vector<std::string>{"turn:198.51.100.12:3478?transport=udp",
                                                   "turn:198.51.100.12:3478?transport=tcp"}));
  EXPECT_EQ(relay->username, std::to_string(clock_.unix_ms() / 1000 + 86400) + ":" + self_.peer_id());
  EXPECT_EQ(relay->credential, last_password_);
  EXPECT_EQ(log_.str().find(last_password_), std::string::npos) << "the credential must never be logged";
}

TEST_F(RemoteRelaysTest, AsksAgainAtHalfTheGrantsLifetimeAndKeepsItMeanwhile) {
  relays_.update({peer(bob_, "bob")});
  relays_.on_grant(bob_.peer_id(), grant(24h));
  ASSERT_TRUE(alarm_.at());
  EXPECT_EQ(alarm_.due_in(clock_), 12h);
  alarm_.ring(clock_);
  EXPECT_EQ(sent_to(bob_), 2u);
  EXPECT_TRUE(relays_.ready(bob_.peer_id()));
  const auto old_username = relays_.relay_for(bob_.peer_id())->username;
  relays_.on_grant(bob_.peer_id(), grant(24h));
  EXPECT_NE(relays_.relay_for(bob_.peer_id())->username, old_username);
  EXPECT_EQ(changes_, 1);  // ready all along
  EXPECT_EQ(alarm_.due_in(clock_), 12h);
}

TEST_F(RemoteRelaysTest, AsksAgainWithALongerWaitWhileThereIsNoAnswer) {
  relays_.update({peer(bob_, "bob")});
  std::vector<std::chrono::milliseconds> waits;
  for (int i = 0; i < 8; ++i) {
    waits.push_back(alarm_.due_in(clock_));
    alarm_.ring(clock_);
  }
  EXPECT_EQ(waits, (std::vector<std::chrono::milliseconds>{10s, 20s, 40s, 80s, 160s, 300s, 300s, 300s}));
  EXPECT_EQ(sent_to(bob_), 9u);
  // An answer at last: back to the normal rhythm.
  relays_.on_grant(bob_.peer_id(), grant(2h));
  EXPECT_EQ(alarm_.due_in(clock_), 1h);
}

TEST_F(RemoteRelaysTest, ARequestThatCannotBeQueuedCountsAsUnanswered) {
  send_ok_ = false;
  relays_.update({peer(bob_, "bob")});
  EXPECT_EQ(alarm_.due_in(clock_), 10s);
  send_ok_ = true;
  alarm_.ring(clock_);
  EXPECT_EQ(sent_to(bob_), 2u);
}

TEST_F(RemoteRelaysTest, DropsTheGrantWhenThePeerGoesOfflineOrStopsOffering) {
  relays_.update({peer(bob_, "bob"), peer(carol_, "carol", true, true, "198.51.100.13")});
  relays_.on_grant(bob_.peer_id(), grant());
  relays_.on_grant(carol_.peer_id(), grant(24h, {"turn:198.51.100.13:3478?transport=udp"}));
  EXPECT_EQ(changes_, 2);
  relays_.update({peer(bob_, "bob", false), peer(carol_, "carol", true, true, "198.51.100.13")});
  EXPECT_FALSE(relays_.ready(bob_.peer_id()));
  EXPECT_TRUE(relays_.ready(carol_.peer_id()));
  EXPECT_EQ(changes_, 3);
  relays_.update({peer(bob_, "bob", false), peer(carol_, "carol", true, false, "198.51.100.13")});
  EXPECT_FALSE(relays_.ready(carol_.peer_id()));
  EXPECT_EQ(changes_, 4);
  EXPECT_FALSE(relays_.relay_for(bob_.peer_id()));
  EXPECT_FALSE(alarm_.at());  // nobody left to ask
  // A grant arriving late for a peer no longer followed is ignored.
  relays_.on_grant(bob_.peer_id(), grant());
  EXPECT_FALSE(relays_.ready(bob_.peer_id()));
  // Back online with its relay: asked again.
  const auto before = sent_to(bob_);
  relays_.update({peer(bob_, "bob")});
  EXPECT_EQ(sent_to(bob_), before + 1);
}

TEST_F(RemoteRelaysTest, DropsAGrantThatExpiresUnrenewed) {
  relays_.update({peer(bob_, "bob")});
  relays_.on_grant(bob_.peer_id(), grant(10min));
  EXPECT_EQ(alarm_.due_in(clock_), 5min);
  alarm_.ring(clock_);  // refresh: asked, no answer
  EXPECT_TRUE(relays_.ready(bob_.peer_id()));
  while (relays_.ready(bob_.peer_id())) alarm_.ring(clock_);
  EXPECT_EQ(changes_, 2);
  EXPECT_FALSE(relays_.relay_for(bob_.peer_id()));
  EXPECT_TRUE(alarm_.at());  // still asking
}

TEST_F(RemoteRelaysTest, KeepsOnlyTheUrlsAtAddressesThePeerProvedToHold) {
  relays_.update({peer(bob_, "bob")});
  relays_.on_grant(bob_.peer_id(),
                   grant(24h, {"turn:203.0.113.5:3478?transport=udp", "turn:198.51.100.12:3478?transport=udp",
                               "turn:203.0.113.5:3478?transport=tcp", "turn:198.51.100.12:3478?transport=tcp"}));
  EXPECT_EQ(
      relays_.relay_for(bob_.peer_id())->urls,
      (std::vector<std::string>{"turn:198.51.100.12:3478?transport=udp", "turn:198.51.100.12:3478?transport=tcp"}));
}

TEST_F(RemoteRelaysTest, FollowsOnlyVerifiedPeersWithAProvenAddress) {
  auto unverified = peer(bob_, "bob");
  unverified.verified = false;
  auto no_address = peer(carol_, "carol");
  no_address.addresses.clear();
  relays_.update({unverified, no_address});
  EXPECT_TRUE(sent_.empty());
}

TEST_F(RemoteRelaysTest, PeersAUiHereConnectedToComeFirstWhenPlacesAreShort) {
  RemoteRelays relays{clock_, alarm_, self_,
                      [this](const std::string& id) {
                        sent_.push_back(id);
                        return true;
                      },
                      nullptr, logger_, RemoteRelays::Config{.max_peers = 2}};
  auto dave = identity::Identity::generate();
  relays.update({peer(carol_, "carol", true, true, "198.51.100.13"), peer(dave, "dave", true, true, "198.51.100.14")});
  ASSERT_EQ(sent_.size(), 2u);
  // bob, whom a UI here has connected to, takes the place of one of the others.
  auto connected = peer(bob_, "bob");
  connected.last_connected_ms = clock_.unix_ms();
  relays.update({peer(carol_, "carol", true, true, "198.51.100.13"), peer(dave, "dave", true, true, "198.51.100.14"),
                 connected});
  EXPECT_EQ(sent_to(bob_), 1u);
  EXPECT_EQ(sent_.size(), 3u);
}

TEST_F(RemoteRelaysTest, RefusesGrantsThatAreNotForThisDaemonOrDoNotOpen) {
  relays_.update({peer(bob_, "bob")});
  const auto eve = identity::Identity::generate();
  // Sealed to someone else.
  relays_.on_grant(bob_.peer_id(), grant(24h, {"turn:198.51.100.12:3478"}, &eve));
  // Issued to someone else (the username names another id).
  auto other = RelayGrant{*parse_relay_grant(grant())};
  other.username = std::to_string(other.expires_ms / 1000) + ":" + eve.peer_id();
  relays_.on_grant(bob_.peer_id(), encode_relay_grant(other));
  // A username whose expiry is not the grant's.
  auto skewed = RelayGrant{*parse_relay_grant(grant())};
  skewed.expires_ms += 3600'000;
  relays_.on_grant(bob_.peer_id(), encode_relay_grant(skewed));
  // Altered on the way (the envelope is signed, but the relay could be wrong).
  auto tampered = RelayGrant{*parse_relay_grant(grant())};
  tampered.sealed[10] ^= 1;
  relays_.on_grant(bob_.peer_id(), encode_relay_grant(tampered));
  // Expired, or about to.
  relays_.on_grant(bob_.peer_id(), grant(-1h));
  relays_.on_grant(bob_.peer_id(), grant(30s));
  // Malformed.
  relays_.on_grant(bob_.peer_id(), "{\"urls\":");
  relays_.on_grant(bob_.peer_id(), std::string(10'000, ' '));
  // A password that is not text (it would go into JSON for a page).
  {
    const auto expires_s = clock_.unix_ms() / 1000 + 3600;
    const std::vector<std::uint8_t> binary{'a', 0, 'b', '\n', 0xff};
    relays_.on_grant(bob_.peer_id(),
                     encode_relay_grant(RelayGrant{.urls = {"turn:198.51.100.12:3478"},
                                                   .username = std::to_string(expires_s) + ":" + self_.peer_id(),
                                                   .sealed = *identity::Identity::seal_to(self_.public_key(), binary),
                                                   .expires_ms = expires_s * 1000}));
  }
  EXPECT_FALSE(relays_.ready(bob_.peer_id()));
  EXPECT_EQ(changes_, 0);
  // From a peer not offering a relay.
  relays_.on_grant(carol_.peer_id(), grant());
  EXPECT_FALSE(relays_.ready(carol_.peer_id()));
  // A genuine one still works afterwards.
  relays_.on_grant(bob_.peer_id(), grant());
  EXPECT_TRUE(relays_.ready(bob_.peer_id()));
}

TEST_F(RemoteRelaysTest, ARefusalDropsTheGrantAndWaitsBeforeAskingAgain) {
  relays_.update({peer(bob_, "bob")});
  relays_.on_grant(bob_.peer_id(), grant());
  relays_.on_grant(bob_.peer_id(), R"({"error":"off"})");
  EXPECT_FALSE(relays_.ready(bob_.peer_id()));
  EXPECT_EQ(changes_, 2);
  EXPECT_EQ(alarm_.due_in(clock_), 10s);
  alarm_.ring(clock_);
  EXPECT_EQ(sent_to(bob_), 2u);
  relays_.on_grant(bob_.peer_id(), R"({"error":"off"})");
  EXPECT_EQ(alarm_.due_in(clock_), 20s);
}

// Issue 16, finding 4: a grant whose URLs are at none of the peer's
// addresses pointed the browser anywhere ("all are kept").
TEST_F(RemoteRelaysTest, DropsAGrantWithNoUrlAtAnAddressThePeerProved) {
  relays_.update({peer(bob_, "bob")});
  relays_.on_grant(bob_.peer_id(), grant(24h, {"turn:203.0.113.5:3478?transport=udp", "turn:[2001:db8::5]:3478"}));
  EXPECT_FALSE(relays_.ready(bob_.peer_id()));
  EXPECT_FALSE(relays_.relay_for(bob_.peer_id()));
}

// Issue 16, finding 4: a peer's relay was offered for connections with every other peer too.
TEST_F(RemoteRelaysTest, OffersAPeersRelayOnlyForConnectionsWithThatPeer) {
  relays_.update({peer(bob_, "bob"), peer(carol_, "carol", true, false, "198.51.100.13")});
  relays_.on_grant(bob_.peer_id(), grant());
  ASSERT_TRUE(relays_.ready(bob_.peer_id()));
  EXPECT_TRUE(relays_.relay_for(bob_.peer_id()));
  EXPECT_FALSE(relays_.relay_for(carol_.peer_id()));
  EXPECT_FALSE(relays_.relay_for(identity::Identity::generate().peer_id()));
}

// Issue 16, finding 4: 64 identities from one host filled every tracked slot,
// so a real peer's relay was never asked for.
TEST_F(RemoteRelaysTest, ManyIdentitiesFromOneAddressCannotCrowdOutAnotherPeer) {
  std::vector<discovery::PeerInfo> list;
  std::vector<identity::Identity> sybils;
  for (int i = 0; i < 100; ++i) sybils.push_back(identity::Identity::generate());
  for (const auto& who : sybils) list.push_back(peer(who, "sybil", true, true, "198.51.100.66"));
  relays_.update(list);
  list.push_back(peer(bob_, "bob"));
  relays_.update(list);
  EXPECT_EQ(sent_to(bob_), 1u);
  EXPECT_LE(sent_.size(), 4u);  // the sybils got a couple of slots between them, and bob one
}

TEST_F(RemoteRelaysTest, StopsAsking) {
  relays_.update({peer(bob_, "bob")});
  relays_.stop();
  EXPECT_FALSE(alarm_.at());
  relays_.update({peer(bob_, "bob"), peer(carol_, "carol")});
  EXPECT_EQ(sent_.size(), 1u);
}

}  // namespace
}  // namespace peerdrop::relay
