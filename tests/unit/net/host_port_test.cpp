#include "net/host_port.hpp"

#include <gtest/gtest.h>

namespace peerdrop::net {
namespace {

TEST(HostPort, ParsesWhatPeopleType) {
  EXPECT_EQ(HostPort::parse("198.51.100.7:3002", 3001)->to_string(), "198.51.100.7:3002");
  EXPECT_EQ(HostPort::parse("198.51.100.7", 3001)->to_string(), "198.51.100.7:3001");
  EXPECT_EQ(HostPort::parse("laptop.local:4000", 3001)->to_string(), "laptop.local:4000");
  EXPECT_EQ(HostPort::parse("[::1]:3001", 80)->to_string(), "[::1]:3001");
  EXPECT_EQ(HostPort::parse("[::1]", 80)->port, 80);
}

TEST(HostPort, RejectsMalformedAddresses) {
  for (const char* bad : {"", ":3001", "host:", "host:0", "host:65536", "host:-1", "host:30x1", "::1:3001",
                          "[::1", "[::1]x", "[]:1", "ho st:1", "host/path:1", "[::1]:"}) {
    EXPECT_FALSE(HostPort::parse(bad, 3001)) << bad;
  }
  EXPECT_FALSE(HostPort::parse(std::string(300, 'a'), 3001));
}

}  // namespace
}  // namespace peerdrop::net
