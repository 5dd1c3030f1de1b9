#include "discovery/stun_gate.hpp"

#include <gtest/gtest.h>

#include "support/fake_clock.hpp"

namespace peerdrop::discovery {
namespace {

using namespace std::chrono_literals;

std::uint32_t ip(const char* text) { return net::Ipv4Subnet::parse_address(text).value(); }

class StunGateTest : public ::testing::Test {
 protected:
  StunGateTest() { gate_.set_subnets({net::Ipv4Subnet::parse("198.51.100.0/24").value()}); }

  testing::FakeClock clock_;
  std::uint32_t known_ = ip("203.0.113.7");
  StunGate gate_{clock_, {.rate = 10, .burst = 20}, [this](std::uint32_t a) { return a == known_; }};
};

TEST_F(StunGateTest, AnswersOurSubnetsAndKnownPeersOnly) {
  EXPECT_TRUE(gate_.allow(ip("198.51.100.20")));
  EXPECT_TRUE(gate_.allow(ip("203.0.113.7")));   // a peer on another subnet: its browser asks too
  EXPECT_FALSE(gate_.allow(ip("203.0.113.8")));  // anyone else gets nothing to reflect
  EXPECT_FALSE(gate_.allow(ip("192.0.2.1")));
  EXPECT_EQ(gate_.refused(), 2u);
}

TEST_F(StunGateTest, CapsTheAnswersToOneSource) {
  int answered = 0;
  for (int i = 0; i < 1000; ++i) answered += gate_.allow(ip("198.51.100.20"));
  EXPECT_EQ(answered, 20);  // the burst, then nothing until time passes
  clock_.advance(1s);
  answered = 0;
  for (int i = 0; i < 1000; ++i) answered += gate_.allow(ip("198.51.100.20"));
  EXPECT_EQ(answered, 10);  // the rate
  EXPECT_TRUE(gate_.allow(ip("198.51.100.21")));  // another source has its own bucket
}

}  // namespace
}  // namespace peerdrop::discovery
