#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/clock.hpp"
#include "core/rate_limiter.hpp"
#include "net/ipv4_subnet.hpp"

namespace peerdrop::discovery {

// Who gets an answer from the STUN responder on the discovery port: a
// source in one of the subnets discovery works on (the interfaces' and
// --scan's) or a known peer's address, and no more than `rate` answers a
// second (bursts of `burst`) to one address. A 20-byte request from a spoofed
// source otherwise makes a 56-byte answer to anyone: a reflector.
class StunGate {
 public:
  struct Limits {
    double rate = 20;
    double burst = 40;
  };
  // Whether an IPv4 address (host order) is a known peer's.
  using KnownPeer = std::function<bool(std::uint32_t address)>;

  StunGate(const core::Clock& clock, Limits limits, KnownPeer known_peer);

  void set_subnets(std::vector<net::Ipv4Subnet> subnets) { subnets_ = std::move(subnets); }
  // Whether to answer a request from `address` now (it spends a token if so).
  bool allow(std::uint32_t address);
  std::uint64_t refused() const { return refused_; }

 private:
  std::vector<net::Ipv4Subnet> subnets_;
  KnownPeer known_peer_;
  core::RateLimiter limiter_;
  std::uint64_t refused_ = 0;
};

}  // namespace peerdrop::discovery
