#include "relay/relay_grant_issuer.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <map>
#include <set>
#include <sstream>

#include "relay/relay_grant.hpp"
#include "store/sqlite_database.hpp"
#include "support/fake_clock.hpp"
#include "support/temp_dir.hpp"

namespace peerdrop::relay {
namespace {

using namespace std::chrono_literals;

class RelayGrantIssuerTest : public ::testing::Test {
 protected:
  RelayGrantIssuerTest() {
    logger_->set_level(spdlog::level::debug);
    add(bob_, "bob", /*connected=*/true);
  }

  // A peer in the table, verified (its key proven by a handshake); `connected`: a UI here had a connection with it.
  void add(const identity::Identity& who, const std::string& name, bool connected, bool verified = true) {
    discovery::PeerInfo peer;
    peer.id = who.peer_id();
    peer.name = name;
    peer.public_key = who.public_key();
    peer.online = true;
    peer.verified = verified;
    peer.last_connected_ms = connected ? clock_.unix_ms() - 3'600'000 : 0;
    peers_[peer.id] = peer;
  }

  RelayGrantIssuer make(RelayGrantIssuer::Limits limits = {}) {
    return RelayGrantIssuer(
        clock_, store_,
        [this](const std::string& id) -> std::optional<discovery::PeerInfo> {
          const auto it = peers_.find(id);
          if (it == peers_.end()) return std::nullopt;
          return it->second;
        },
        [this](const std::string& id) { return trusted_.count(id) > 0; },
        [this](std::string_view user) -> std::optional<RelayService::IceServer> {
          if (!running_) return std::nullopt;
          // A day from the clock's wall time, as TurnCredentials issues them.
          return RelayService::IceServer{
              .urls = {"turn:198.51.100.12:3478?transport=udp", "turn:198.51.100.12:3478?transport=tcp"},
              .credential = TurnCredentials::derive("relay-secret", clock_.unix_ms() / 1000 + 86'400, user)};
        },
        [this](const std::string& to, const std::string& payload) { sent_.emplace_back(to, payload); }, logger_,
        limits);
  }

  // The last answer to `who`: a grant, a refusal, or nothing.
  std::optional<RelayGrant> answer_to(const identity::Identity& who) const {
    for (auto it = sent_.rbegin(); it != sent_.rend(); ++it) {
      if (it->first != who.peer_id()) continue;
      auto grant = parse_relay_grant(it->second);
      EXPECT_TRUE(grant) << it->second;
      if (grant) return *grant;
    }
    return std::nullopt;
  }
  bool granted(const identity::Identity& who) const {
    const auto answer = answer_to(who);
    return answer && !answer->refused();
  }

  testing::FakeClock clock_;
  testing::TempDir dir_;
  store::SqliteDatabase db_{dir_.path() / "peerdrop.db"};
  RelayGrantStore store_{db_};
  identity::Identity bob_ = identity::Identity::generate();
  std::map<std::string, discovery::PeerInfo> peers_;
  std::set<std::string> trusted_;
  bool running_ = true;
  std::vector<std::pair<std::string, std::string>> sent_;
  std::ostringstream log_;
  core::Logger logger_ =
      std::make_shared<spdlog::logger>("relay", std::make_shared<spdlog::sinks::ostream_sink_st>(log_));
};

TEST_F(RelayGrantIssuerTest, GivesAKnownPeerCredentialsSealedToItsKey) {
  auto issuer = make();
  issuer.on_request(bob_.peer_id());
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].first, bob_.peer_id());
  const auto grant = parse_relay_grant(sent_[0].second);
  ASSERT_TRUE(grant) << sent_[0].second;
  EXPECT_FALSE(grant->refused());
  EXPECT_EQ(grant->urls.size(), 2u);
  const auto expected = TurnCredentials::derive("relay-secret", 1'764'086'400, bob_.peer_id());
  EXPECT_EQ(grant->username, expected.username);
  EXPECT_EQ(grant->username, "1764086400:" + bob_.peer_id());  // the fake clock's day later
  EXPECT_EQ(grant->expires_ms, 1'764'086'400'000);
  const auto opened = bob_.open_sealed(grant->sealed);
  ASSERT_TRUE(opened);
  EXPECT_EQ(std::string(opened->begin(), opened->end()), expected.password);
  // Logged in words, never the credential.
  EXPECT_NE(log_.str().find("gave relay credentials to \"bob\" (" + bob_.peer_id().substr(0, 7) +
                            "…) valid until 2025-11-25 16:00:00 UTC"),
            std::string::npos)
      << log_.str();
  EXPECT_EQ(log_.str().find(expected.password), std::string::npos);
  EXPECT_EQ(sent_[0].second.find(expected.password), std::string::npos);
}

TEST_F(RelayGrantIssuerTest, SaysOffWhileTheRelayIsNotRunning) {
  running_ = false;
  auto issuer = make();
  issuer.on_request(bob_.peer_id());
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].second, R"({"error":"off"})");
}

TEST_F(RelayGrantIssuerTest, AnswersOnlyPeersInThePeerTable) {
  auto issuer = make();
  const auto stranger = identity::Identity::generate();
  issuer.on_request(stranger.peer_id());
  EXPECT_TRUE(sent_.empty());
}

TEST_F(RelayGrantIssuerTest, AnswersAPeerAtMostAFewTimesAMinute) {
  auto issuer = make(RelayGrantIssuer::Limits{.per_minute = 3, .burst = 3});
  for (int i = 0; i < 10; ++i) issuer.on_request(bob_.peer_id());
  EXPECT_EQ(sent_.size(), 3u);
  clock_.advance(10s);
  issuer.on_request(bob_.peer_id());
  EXPECT_EQ(sent_.size(), 3u);  // a token every 20 s
  clock_.advance(10s);
  issuer.on_request(bob_.peer_id());
  EXPECT_EQ(sent_.size(), 4u);
  // Other peers have their own allowance.
  const auto carol = identity::Identity::generate();
  add(carol, "carol", true);
  issuer.on_request(carol.peer_id());
  EXPECT_EQ(sent_.size(), 5u);
  EXPECT_EQ(sent_.back().first, carol.peer_id());
}

TEST_F(RelayGrantIssuerTest, GivesNothingToAPeerWhoseKeyCannotReceiveASealedBox) {
  peers_[bob_.peer_id()].public_key = identity::PublicKey{1};  // the identity point: no X25519 key
  auto issuer = make();
  issuer.on_request(bob_.peer_id());
  EXPECT_TRUE(sent_.empty());
}

// Issue 16, finding 1: credentials went to any peer in the table, and any
// LAN host can enter it with a fresh key.
TEST_F(RelayGrantIssuerTest, AFreshIdentityThatTheUserNeverConnectedToGetsNothing) {
  const auto eve = identity::Identity::generate();
  add(eve, "eve", /*connected=*/false);
  auto issuer = make();
  issuer.on_request(eve.peer_id());
  const auto answer = answer_to(eve);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->refusal, "not_trusted");
  EXPECT_EQ(log_.str().find("gave relay credentials to \"eve\""), std::string::npos) << log_.str();
  EXPECT_NE(log_.str().find("refused relay credentials to \"eve\" (" + eve.peer_id().substr(0, 7) +
                            "…): this computer's user has never connected to it and does not trust it"),
            std::string::npos)
      << log_.str();
  // Nor a peer whose key no handshake proved, even one the user connected to.
  const auto mallory = identity::Identity::generate();
  add(mallory, "mallory", /*connected=*/true, /*verified=*/false);
  issuer.on_request(mallory.peer_id());
  ASSERT_TRUE(answer_to(mallory));
  EXPECT_EQ(answer_to(mallory)->refusal, "not_trusted");
  EXPECT_NE(log_.str().find("its key was never proven by a handshake"), std::string::npos) << log_.str();
  EXPECT_EQ(issuer.holders(), 0u);
}

TEST_F(RelayGrantIssuerTest, APeerOnTheAlwaysAcceptListGetsCredentialsBeforeAnyConnection) {
  const auto carol = identity::Identity::generate();
  add(carol, "carol", /*connected=*/false);
  trusted_.insert(carol.peer_id());
  auto issuer = make();
  issuer.on_request(carol.peer_id());
  EXPECT_TRUE(granted(carol));
}

// Issue 16, finding 1: any number of identities could hold credentials, and
// eight of them could use up the relay's allocations for everyone.
TEST_F(RelayGrantIssuerTest, AtMostMaxHoldersPeersHoldCredentialsAtOnce) {
  auto issuer = make(RelayGrantIssuer::Limits{.max_holders = 3});
  std::vector<identity::Identity> peers;
  for (int i = 0; i < 4; ++i) {
    peers.push_back(identity::Identity::generate());
    add(peers.back(), "peer" + std::to_string(i), true);
  }
  for (int i = 0; i < 3; ++i) issuer.on_request(peers[i].peer_id());
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(granted(peers[i])) << i;
  issuer.on_request(peers[3].peer_id());
  ASSERT_TRUE(answer_to(peers[3]));
  EXPECT_EQ(answer_to(peers[3])->refusal, "full");
  EXPECT_NE(log_.str().find("refused relay credentials to \"peer3\""), std::string::npos) << log_.str();
  EXPECT_NE(log_.str().find("3 peers hold credentials for this relay already"), std::string::npos) << log_.str();
  // A holder renews: still served.
  clock_.advance(std::chrono::hours(12));
  issuer.on_request(peers[0].peer_id());
  EXPECT_TRUE(granted(peers[0]));
  EXPECT_EQ(issuer.holders(), 3u);
  // The others' credentials expire (a day after they were issued): a place is free.
  clock_.advance(std::chrono::hours(12));
  issuer.on_request(peers[3].peer_id());
  EXPECT_TRUE(granted(peers[3]));
  EXPECT_EQ(issuer.holders(), 2u);  // peers[0] (renewed) and peers[3]
}

TEST_F(RelayGrantIssuerTest, TheCapHoldsAcrossARestart) {
  std::vector<identity::Identity> peers;
  for (int i = 0; i < 3; ++i) {
    peers.push_back(identity::Identity::generate());
    add(peers.back(), "peer" + std::to_string(i), true);
  }
  {
    auto issuer = make(RelayGrantIssuer::Limits{.max_holders = 2});
    issuer.on_request(peers[0].peer_id());
    issuer.on_request(peers[1].peer_id());
  }
  auto restarted = make(RelayGrantIssuer::Limits{.max_holders = 2});  // the same database
  EXPECT_EQ(restarted.holders(), 2u);
  restarted.on_request(peers[2].peer_id());
  ASSERT_TRUE(answer_to(peers[2]));
  EXPECT_EQ(answer_to(peers[2])->refusal, "full");
}

}  // namespace
}  // namespace peerdrop::relay
