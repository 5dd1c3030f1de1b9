#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerdrop::net {

// An IPv4 network in CIDR form, with the arithmetic discovery needs:
// directed broadcast address, host enumeration, and capping the prefix so a
// /16 interface is not scanned whole. Addresses are host-order uint32.
class Ipv4Subnet {
 public:
  Ipv4Subnet(std::uint32_t address, int prefix);  // address is masked to the network

  // "198.51.100.0/24"; a bare address means /32. Nothing for malformed input.
  static std::optional<Ipv4Subnet> parse(std::string_view cidr);
  static std::optional<std::uint32_t> parse_address(std::string_view text);
  static std::string format_address(std::uint32_t address);
  static int prefix_from_netmask(std::uint32_t netmask);  // -1 if not contiguous

  std::uint32_t network() const { return network_; }
  int prefix() const { return prefix_; }
  std::uint32_t netmask() const;
  std::uint32_t broadcast() const;
  bool contains(std::uint32_t address) const;
  // Usable host addresses (network and broadcast excluded for prefixes < 31).
  std::uint64_t host_count() const;
  std::vector<std::uint32_t> hosts() const;
  // The subnet of at most 2^(32-min_prefix) addresses around `address`
  // inside this one (this one if it is already small enough).
  Ipv4Subnet capped(int min_prefix, std::uint32_t around) const;

  std::string to_string() const;
  bool operator==(const Ipv4Subnet&) const = default;

 private:
  std::uint32_t network_;
  int prefix_;
};

}  // namespace peerdrop::net
