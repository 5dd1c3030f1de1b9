#include "net/ipv4_subnet.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace peerdrop::net {
namespace {

std::uint32_t mask_for(int prefix) {
  return prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
}

}  // namespace

Ipv4Subnet::Ipv4Subnet(std::uint32_t address, int prefix)
    : network_(address & mask_for(prefix)), prefix_(prefix) {}

std::optional<std::uint32_t> Ipv4Subnet::parse_address(std::string_view text) {
  if (text.empty() || text.size() > 15) return std::nullopt;
  const std::string copy(text);
  in_addr addr{};
  if (::inet_pton(AF_INET, copy.c_str(), &addr) != 1) return std::nullopt;
  return ntohl(addr.s_addr);
}

std::string Ipv4Subnet::format_address(std::uint32_t address) {
  in_addr addr{htonl(address)};
  char text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &addr, text, sizeof text);
  return text;
}

std::optional<Ipv4Subnet> Ipv4Subnet::parse(std::string_view cidr) {
  const auto slash = cidr.find('/');
  const auto address = parse_address(cidr.substr(0, slash));
  if (!address) return std::nullopt;
  int prefix = 32;
  if (slash != std::string_view::npos) {
    const auto digits = cidr.substr(slash + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || prefix < 0 ||
        prefix > 32) {
      return std::nullopt;
    }
  }
  return Ipv4Subnet(*address, prefix);
}

int Ipv4Subnet::prefix_from_netmask(std::uint32_t netmask) {
  const std::uint32_t inverted = ~netmask;
  if ((inverted & (inverted + 1)) != 0) return -1;  // ones must be contiguous from the top
  int prefix = 0;
  while (prefix < 32 && (netmask & (std::uint32_t{1} << (31 - prefix)))) ++prefix;
  return prefix;
}

std::uint32_t Ipv4Subnet::netmask() const { return mask_for(prefix_); }

std::uint32_t Ipv4Subnet::broadcast() const { return network_ | ~netmask(); }

bool Ipv4Subnet::contains(std::uint32_t address) const { return (address & netmask()) == network_; }

std::uint64_t Ipv4Subnet::host_count() const {
  const std::uint64_t size = std::uint64_t{1} << (32 - prefix_);
  return prefix_ >= 31 ? size : size - 2;
}

std::vector<std::uint32_t> Ipv4Subnet::hosts() const {
  std::vector<std::uint32_t> out;
  out.reserve(host_count());
  const std::uint32_t first = prefix_ >= 31 ? network_ : network_ + 1;
  const std::uint32_t last = prefix_ >= 31 ? broadcast() : broadcast() - 1;
  for (std::uint64_t a = first; a <= last; ++a) out.push_back(static_cast<std::uint32_t>(a));
  return out;
}

Ipv4Subnet Ipv4Subnet::capped(int min_prefix, std::uint32_t around) const {
  if (prefix_ >= min_prefix || !contains(around)) return *this;
  return Ipv4Subnet(around, min_prefix);
}

std::string Ipv4Subnet::to_string() const { return format_address(network_) + "/" + std::to_string(prefix_); }

}  // namespace peerdrop::net
