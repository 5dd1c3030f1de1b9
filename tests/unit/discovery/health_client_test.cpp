#include "discovery/health_client.hpp"

#include <gtest/gtest.h>

#include "core/base64.hpp"
#include "core/errc.hpp"
#include "discovery/announcement_signer.hpp"
#include "support/fake_clock.hpp"

namespace peerdrop::discovery {
namespace {

class HealthBodyTest : public ::testing::Test {
 protected:
  std::string body(const std::string& id, const std::vector<std::uint8_t>& packet) {
    return R"({"status":"ok","id":")" + id + R"(","name":"x","version":"0.1.0","port":3001,"announcement":")" +
           core::base64_encode(packet) + "\"}";
  }
  testing::FakeClock clock_;
  identity::Identity key_ = identity::Identity::generate();
  AnnouncementSigner signer_{key_, clock_, "peer"};
};

TEST_F(HealthBodyTest, AcceptsAGenuineAnswer) {
  signer_.set_ports(3001, 3001);
  const auto parsed = HealthClient::parse_health_body(body(key_.peer_id(), signer_.make(AnnouncementKind::reply)));
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->public_key, key_.public_key());
}

TEST_F(HealthBodyTest, RejectsAnAnswerWhoseIdIsNotItsKey) {
  signer_.set_ports(3001, 3001);
  const auto other = identity::Identity::generate();
  EXPECT_EQ(HealthClient::parse_health_body(body(other.peer_id(), signer_.make(AnnouncementKind::reply))).error(),
            core::Errc::identity_mismatch);
}

TEST_F(HealthBodyTest, RejectsWhatIsNotAPeerDropAnswer) {
  for (const char* bad : {"", "null", "[]", "{}", R"({"status":"ok"})", R"({"status":"down","id":"x","announcement":""})",
                          R"({"status":"ok","id":1,"announcement":"AAAA"})", "<html>hello</html>",
                          R"({"status":"ok","id":"x","announcement":"!!!"})",
                          R"({"status":"ok","id":"x","announcement":"AAAA"})"}) {
    EXPECT_FALSE(HealthClient::parse_health_body(bad)) << bad;
  }
  EXPECT_EQ(HealthClient::parse_health_body(std::string(5000, ' ')).error(), core::Errc::too_large);
  EXPECT_FALSE(HealthClient::parse_health_body(std::string(100, '[')));
}

TEST_F(HealthBodyTest, LearnsWhetherThePeerRunsARelay) {
  signer_.set_ports(3001, 3001);
  const auto packet = body(key_.peer_id(), signer_.make(AnnouncementKind::reply));
  const auto with = [&](const std::string& relay) { return packet.substr(0, packet.size() - 1) + "," + relay + "}"; };
  bool relay = true;
  ASSERT_TRUE(HealthClient::parse_health_body(packet, &relay));
  EXPECT_FALSE(relay);  // no "relay": no --turn
  ASSERT_TRUE(HealthClient::parse_health_body(with(R"("relay":{"state":"running","port":3478})"), &relay));
  EXPECT_TRUE(relay);
  for (const char* other : {R"("relay":{"state":"restarting","port":3478})", R"("relay":{"state":"failed"})",
                            R"("relay":{"enabled":false,"state":"off"})", R"("relay":"running")", R"("relay":true)",
                            R"("relay":{"state":1})", R"("relay":{})", R"("relay":null)"}) {
    relay = true;
    ASSERT_TRUE(HealthClient::parse_health_body(with(other), &relay)) << other;
    EXPECT_FALSE(relay) << other;
  }
  // The signed flag counts too.
  signer_.set_relay_offered(true);
  relay = false;
  ASSERT_TRUE(HealthClient::parse_health_body(body(key_.peer_id(), signer_.make(AnnouncementKind::reply)), &relay));
  EXPECT_TRUE(relay);
}

}  // namespace
}  // namespace peerdrop::discovery
