#pragma once

#include <chrono>
#include <compare>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "discovery/peer_info.hpp"

namespace peerdrop::discovery {

// When to try a daemon-channel handshake at each address worth one:
//  - a candidate (an address a signed packet came from) until a handshake
//    there proves the peer's key, or it has failed max_candidate_tries times;
//    then it is dead for dead_for: hearing it again does not start it over,
//    so a spoofed announcement costs a bounded number of connection attempts;
//  - the proven addresses of a verified peer without a channel, until one is
//    up (this daemon keeps a standing channel to every peer it can reach).
// Failures back off, doubling from first_retry up to max_retry. Pure logic on
// an injected clock: the caller says which targets it wants tried and when a
// try ended.
class ConnectSchedule {
 public:
  struct Config {
    std::chrono::milliseconds first_retry{1'000};
    std::chrono::milliseconds max_retry{20'000};
    std::size_t max_candidate_tries = 5;
    std::chrono::milliseconds dead_for{600'000};
    std::size_t max_dead = 4096;  // remembered dead candidates; the oldest go first
  };
  struct Target {
    std::string id;
    PeerAddress address;
    bool candidate = false;  // not proven yet
    auto operator<=>(const Target& other) const {
      if (auto c = id <=> other.id; c != 0) return c;
      if (auto c = address.ip <=> other.address.ip; c != 0) return c;
      return address.port <=> other.address.port;
    }
    bool operator==(const Target& other) const { return id == other.id && address == other.address; }
  };

  ConnectSchedule(const core::Clock& clock, Config config);

  // Of `wanted` (every target worth a try; the schedule forgets the others),
  // those due now, at most `max`; they are marked as under way.
  std::vector<Target> due(const std::vector<Target>& wanted, std::size_t max);
  // A try ended. For a candidate that failed its last try: true (it is dead now: drop it).
  bool failed(const Target& target);
  void succeeded(const Target& target);
  // Makes the peer's targets due now (it restarted, a tab wants it, it was added by hand); dead ones stay dead.
  void hurry(const std::string& id);
  void forget(const std::string& id);
  bool dead(const Target& target) const;
  std::size_t under_way() const;

 private:
  struct State {
    std::size_t failures = 0;
    core::Clock::TimePoint next{};
    bool under_way = false;
  };

  const core::Clock& clock_;
  Config config_;
  std::map<Target, State> states_;
  std::map<Target, core::Clock::TimePoint> dead_;  // until when
};

}  // namespace peerdrop::discovery
