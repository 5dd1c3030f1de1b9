#include "relay/relay_grant_issuer.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <map>
#include <sstream>

#include "relay/relay_grant.hpp"
#include "support/fake_clock.hpp"

namespace peerdrop::relay {
namespace {

using namespace std::chrono_literals;

class RelayGrantIssuerTest : public ::testing::Test {
 protected:
  RelayGrantIssuerTest() {
    logger_->set_level(spdlog::level::debug);
    discovery::PeerInfo peer;
    peer.id = bob_.peer_id();
    peer.name = "bob";
    peer.public_key = bob_.public_key();
    peer.online = true;
    peers_[peer.id] = peer;
  }

  RelayGrantIssuer make(RelayGrantIssuer::Limits limits = {}) {
    return RelayGrantIssuer(
        clock_,
        [this](const std::string& id) -> std::optional<discovery::PeerInfo> {
          const auto it = peers_.find(id);
          if (it == peers_.end()) return std::nullopt;
          return it->second;
        },
        [this](std::string_view user) -> std::optional<RelayService::IceServer> {
          if (!running_) return std::nullopt;
          return RelayService::IceServer{
              .urls = {"turn:198.51.100.12:3478?transport=udp", "turn:198.51.100.12:3478?transport=tcp"},
              .credential = TurnCredentials::derive("relay-secret", 1'764'086'400, user)};
        },
        [this](const std::string& to, const std::string& payload) { sent_.emplace_back(to, payload); }, logger_,
        limits);
  }

  testing::FakeClock clock_;
  identity::Identity bob_ = identity::Identity::generate();
  std::map<std::string, discovery::PeerInfo> peers_;
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
  EXPECT_EQ(grant->username, "1764086400:" + bob_.peer_id());
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
  discovery::PeerInfo peer;
  peer.id = carol.peer_id();
  peer.name = "carol";
  peer.public_key = carol.public_key();
  peers_[peer.id] = peer;
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

}  // namespace
}  // namespace peerdrop::relay
