#include "net/ipv4_subnet.hpp"

#include <gtest/gtest.h>

namespace peerdrop::net {
namespace {

std::uint32_t ip(const char* text) { return *Ipv4Subnet::parse_address(text); }

TEST(Ipv4Subnet, ParsesCidrAndMasksTheNetwork) {
  const auto subnet = Ipv4Subnet::parse("198.51.100.77/24");
  ASSERT_TRUE(subnet);
  EXPECT_EQ(subnet->to_string(), "198.51.100.0/24");
  EXPECT_EQ(Ipv4Subnet::parse("203.0.113.5")->to_string(), "203.0.113.5/32");
}

TEST(Ipv4Subnet, RejectsMalformedCidr) {
  for (const char* bad : {"", "/24", "198.51.100.0/", "198.51.100.0/33", "198.51.100.0/-1", "198.51.100/24",
                          "198.51.100.0/24x", "256.1.1.1/8", "1.2.3.4/ 8", "::1/128", "198.51.100.0/024000000"}) {
    EXPECT_FALSE(Ipv4Subnet::parse(bad)) << bad;
  }
}

TEST(Ipv4Subnet, ComputesTheDirectedBroadcastAddress) {
  EXPECT_EQ(Ipv4Subnet::format_address(Ipv4Subnet::parse("198.51.100.9/24")->broadcast()), "198.51.100.255");
  EXPECT_EQ(Ipv4Subnet::format_address(Ipv4Subnet::parse("203.0.113.9/26")->broadcast()), "203.0.113.63");
  EXPECT_EQ(Ipv4Subnet::format_address(Ipv4Subnet::parse("203.0.113.130/25")->broadcast()), "203.0.113.255");
}

TEST(Ipv4Subnet, EnumeratesHostsWithoutNetworkAndBroadcast) {
  const auto hosts = Ipv4Subnet::parse("198.51.100.0/30")->hosts();
  ASSERT_EQ(hosts.size(), 2u);
  EXPECT_EQ(hosts[0], ip("198.51.100.1"));
  EXPECT_EQ(hosts[1], ip("198.51.100.2"));
  EXPECT_EQ(Ipv4Subnet::parse("198.51.100.0/24")->host_count(), 254u);
  EXPECT_EQ(Ipv4Subnet::parse("198.51.100.0/22")->host_count(), 1022u);
  EXPECT_EQ(Ipv4Subnet::parse("198.51.100.4/31")->hosts().size(), 2u);
  EXPECT_EQ(Ipv4Subnet::parse("198.51.100.4/32")->hosts().size(), 1u);
}

TEST(Ipv4Subnet, ContainsOnlyItsOwnAddresses) {
  const auto subnet = *Ipv4Subnet::parse("203.0.113.0/24");
  EXPECT_TRUE(subnet.contains(ip("203.0.113.0")));
  EXPECT_TRUE(subnet.contains(ip("203.0.113.255")));
  EXPECT_FALSE(subnet.contains(ip("203.0.114.0")));
  EXPECT_FALSE(subnet.contains(ip("198.51.100.1")));
}

TEST(Ipv4Subnet, CapsLargeSubnetsAroundTheOwnAddress) {
  // An interface in a /16 is scanned only in the /22 around its own address.
  const Ipv4Subnet wide(ip("198.51.100.77"), 16);
  const auto capped = wide.capped(22, ip("198.51.100.77"));
  EXPECT_EQ(capped.to_string(), "198.51.100.0/22");
  EXPECT_EQ(capped.host_count(), 1022u);
  // Small subnets stay as they are.
  const Ipv4Subnet small(ip("198.51.100.77"), 24);
  EXPECT_EQ(small.capped(22, ip("198.51.100.77")), small);
}

TEST(Ipv4Subnet, ConvertsNetmasksToPrefixes) {
  EXPECT_EQ(Ipv4Subnet::prefix_from_netmask(ip("255.255.255.0")), 24);
  EXPECT_EQ(Ipv4Subnet::prefix_from_netmask(ip("255.255.252.0")), 22);
  EXPECT_EQ(Ipv4Subnet::prefix_from_netmask(ip("0.0.0.0")), 0);
  EXPECT_EQ(Ipv4Subnet::prefix_from_netmask(ip("255.255.255.255")), 32);
  EXPECT_EQ(Ipv4Subnet::prefix_from_netmask(ip("255.0.255.0")), -1);
}

}  // namespace
}  // namespace peerdrop::net
