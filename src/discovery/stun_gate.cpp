#include "discovery/stun_gate.hpp"

#include <algorithm>

namespace peerdrop::discovery {

StunGate::StunGate(const core::Clock& clock, Limits limits, KnownPeer known_peer)
    : known_peer_(std::move(known_peer)),
      limiter_(clock, core::RateLimiter::Limits{.rate = limits.rate, .burst = limits.burst}) {}

bool StunGate::allow(std::uint32_t address) {
  const bool ours = std::any_of(subnets_.begin(), subnets_.end(),
                                [address](const net::Ipv4Subnet& s) { return s.contains(address); }) ||
                    (known_peer_ && known_peer_(address));
  if (ours && limiter_.allow(net::Ipv4Subnet::format_address(address))) return true;
  ++refused_;
  return false;
}

}  // namespace peerdrop::discovery
