#include "net/network_interfaces.hpp"

#include <gtest/gtest.h>

namespace peerdrop::net {
namespace {

InterfaceAddress iface(const std::string& name, const char* cidr_with_address) {
  const auto subnet = *Ipv4Subnet::parse(cidr_with_address);
  const std::string text(cidr_with_address);
  const auto address = *Ipv4Subnet::parse_address(text.substr(0, text.find('/')));
  return InterfaceAddress{.name = name, .address = address, .subnet = subnet, .broadcast_capable = true};
}

std::vector<std::string> names(const std::vector<InterfaceAddress>& list) {
  std::vector<std::string> out;
  for (const auto& i : list) out.push_back(i.name);
  return out;
}

TEST(NetworkInterfaces, LeavesOutContainerBridgesAndVpnsUnlessNamed) {
  const std::vector<InterfaceAddress> all{
      iface("eth0", "198.51.100.10/24"),      iface("wlp2s0", "203.0.113.7/24"),
      iface("docker0", "172.17.0.1/16"),      iface("br-3f2a9c1d0e4b", "172.18.0.1/16"),
      iface("veth1a2b3c", "169.254.7.1/16"),  iface("virbr0", "192.168.122.1/24"),
      iface("tailscale0", "100.101.102.103/32"), iface("tun0", "10.8.0.2/24"),
      iface("wg0", "10.9.0.1/24"),            iface("zt7nnig26", "10.147.17.5/24"),
      iface("tap0", "10.10.0.1/24"),          iface("lxcbr0", "10.0.3.1/24"),
  };
  EXPECT_EQ(names(select_interfaces(all, {}, false)), (std::vector<std::string>{"eth0", "wlp2s0"}));
  // Named with --interface: the user chose it, so it is used.
  EXPECT_EQ(names(select_interfaces(all, {"eth0", "tailscale0"}, false)),
            (std::vector<std::string>{"eth0", "tailscale0"}));
}

TEST(NetworkInterfaces, APointToPointLinkOrATunDeviceIsAVpnWhateverItsName) {
  auto vpn = iface("corpvpn", "10.20.0.2/24");
  vpn.point_to_point = true;
  auto tap = iface("mytap", "10.30.0.1/24");
  tap.tun_device = true;
  const auto lan = iface("br0", "198.51.100.10/24");  // a bridge that holds the LAN card is the LAN
  EXPECT_EQ(names(select_interfaces({vpn, tap, lan}, {}, false)), (std::vector<std::string>{"br0"}));
  EXPECT_TRUE(is_virtual_link(vpn));
  EXPECT_TRUE(is_virtual_link(tap));
  EXPECT_FALSE(is_virtual_link(lan));
}

TEST(NetworkInterfaces, LoopbackModeUsesLoopbackOnlyAndOtherwiseNever) {
  auto lo = iface("lo", "127.0.0.1/8");
  lo.loopback = true;
  const std::vector<InterfaceAddress> all{lo, iface("eth0", "198.51.100.10/24")};
  EXPECT_EQ(names(select_interfaces(all, {}, true)), (std::vector<std::string>{"lo"}));
  EXPECT_EQ(names(select_interfaces(all, {}, false)), (std::vector<std::string>{"eth0"}));
  EXPECT_EQ(names(select_interfaces(all, {"lo"}, false)), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace peerdrop::net
