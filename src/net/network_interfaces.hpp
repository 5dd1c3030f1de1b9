#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "net/ipv4_subnet.hpp"

namespace peerdrop::net {

struct InterfaceAddress {
  std::string name;         // "eth0"
  std::uint32_t address;    // host order
  Ipv4Subnet subnet;
  bool loopback = false;
  bool broadcast_capable = false;
  bool multicast_capable = false;

  bool operator==(const InterfaceAddress&) const = default;
};

// The IPv4 addresses of the interfaces that are up (getifaddrs).
std::vector<InterfaceAddress> list_interface_addresses();

// The subset discovery may use: only `names` if given, loopback only in loopback mode.
std::vector<InterfaceAddress> select_interfaces(const std::vector<InterfaceAddress>& all,
                                                const std::vector<std::string>& names, bool loopback_mode);

}  // namespace peerdrop::net
