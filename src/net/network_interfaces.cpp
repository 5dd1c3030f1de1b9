#include "net/network_interfaces.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <string_view>
#include <system_error>

namespace peerdrop::net {
namespace {

// Names container, VM and VPN software gives the links it makes (a prefix each).
constexpr std::array<std::string_view, 16> kVirtualPrefixes{
    "docker", "br-", "veth", "virbr", "vnet", "lxcbr", "lxdbr", "cni", "flannel", "cali", "vxlan", "tun", "tap",
    "wg", "tailscale", "zt"};

bool is_tun_device(const char* name) {
  std::error_code ec;
  return std::filesystem::exists(std::filesystem::path("/sys/class/net") / name / "tun_flags", ec);
}

}  // namespace

bool is_virtual_link(const InterfaceAddress& iface) {
  if (iface.point_to_point || iface.tun_device) return true;
  const std::string_view name = iface.name;
  return std::any_of(kVirtualPrefixes.begin(), kVirtualPrefixes.end(),
                     [&](std::string_view prefix) { return name.starts_with(prefix); });
}

std::vector<InterfaceAddress> list_interface_addresses() {
  std::vector<InterfaceAddress> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  for (const ifaddrs* it = list; it != nullptr; it = it->ifa_next) {
    if (it->ifa_addr == nullptr || it->ifa_addr->sa_family != AF_INET || it->ifa_netmask == nullptr) continue;
    if (!(it->ifa_flags & IFF_UP)) continue;
    const auto address = ntohl(reinterpret_cast<const sockaddr_in*>(it->ifa_addr)->sin_addr.s_addr);
    const auto netmask = ntohl(reinterpret_cast<const sockaddr_in*>(it->ifa_netmask)->sin_addr.s_addr);
    const int prefix = Ipv4Subnet::prefix_from_netmask(netmask);
    if (prefix < 0) continue;
    out.push_back(InterfaceAddress{
        .name = it->ifa_name,
        .address = address,
        .subnet = Ipv4Subnet(address, prefix),
        .loopback = (it->ifa_flags & IFF_LOOPBACK) != 0,
        .broadcast_capable = (it->ifa_flags & IFF_BROADCAST) != 0,
        .multicast_capable = (it->ifa_flags & IFF_MULTICAST) != 0,
        .point_to_point = (it->ifa_flags & IFF_POINTOPOINT) != 0,
        .tun_device = is_tun_device(it->ifa_name),
    });
  }
  ::freeifaddrs(list);
  return out;
}

std::vector<InterfaceAddress> select_interfaces(const std::vector<InterfaceAddress>& all,
                                                const std::vector<std::string>& names, bool loopback_mode) {
  std::vector<InterfaceAddress> out;
  for (const auto& iface : all) {
    if (loopback_mode != iface.loopback) continue;
    if (names.empty() ? is_virtual_link(iface)
                      : std::find(names.begin(), names.end(), iface.name) == names.end()) {
      continue;
    }
    out.push_back(iface);
  }
  return out;
}

}  // namespace peerdrop::net
