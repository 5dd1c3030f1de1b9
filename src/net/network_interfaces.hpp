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
  bool point_to_point = false;  // IFF_POINTOPOINT: VPN tunnels, PPP
  bool tun_device = false;      // a tun/tap device (/sys/class/net/<name>/tun_flags)

  bool operator==(const InterfaceAddress&) const = default;
};

// The IPv4 addresses of the interfaces that are up (getifaddrs).
std::vector<InterfaceAddress> list_interface_addresses();

// Whether an interface leads to containers, virtual machines or a VPN rather
// than to the LAN: a name that container, VM and VPN software gives its
// links (docker0, br-<hash>, veth…, virbr0, vnet…, lxcbr0, lxdbr0, cni0,
// flannel…, cali…, vxlan…, tun0, tap0, wg0, tailscale0, zt…), a
// point-to-point link (VPNs, PPP) or a tun/tap device. A bridge named
// otherwise (br0 holding the LAN card) is the LAN.
bool is_virtual_link(const InterfaceAddress& iface);

// The interfaces PeerDrop works on (discovery, the STUN responder, the TURN
// relay): in loopback mode the loopback interface only; otherwise only
// `names` if given (--interface: exactly what the user chose), else every
// interface but loopback and virtual links (is_virtual_link).
std::vector<InterfaceAddress> select_interfaces(const std::vector<InterfaceAddress>& all,
                                                const std::vector<std::string>& names, bool loopback_mode);

}  // namespace peerdrop::net
