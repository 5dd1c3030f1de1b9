#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace peerdrop::relay {

// The managed TURN relay (the `relay` setting, `--turn`): peerdropd runs and supervises its own
// coturn (`turnserver -c <data-dir>/relay/turnserver.conf`).
struct RelayConfig {
  bool enabled = false;                  // --turn: turns the `relay` setting on at start (and stores it)
  std::string program = "turnserver";    // found through $PATH (Debian's coturn package)
  std::uint16_t port = 3478;             // --turn-port: UDP and TCP listeners
  std::uint16_t min_port = 49160;        // --turn-min-port: relay endpoints (UDP)
  std::uint16_t max_port = 49359;        // --turn-max-port
  std::string realm = "peerdrop";
  std::chrono::seconds credential_ttl = std::chrono::hours(24);  // --turn-credential-ttl
  // Peers that may hold credentials for this relay at once (relay::RelayGrantIssuer).
  std::size_t max_grant_holders = 7;
  // Quotas (coturn's user-quota, total-quota, max-bps): coturn counts a
  // user's allocations by peer id, whatever the credential's expiry; a
  // browser makes one or two per connection and relay URL. The users are
  // this daemon's UI and at most max_grant_holders peers, 8 in all, and
  // 8 × 32 = 256: each gets its share, however busy the others are
  // (CoturnConfig::options_problem checks it).
  std::uint32_t user_quota = 32;
  std::uint32_t total_quota = 256;
  std::uint64_t max_bps = 50'000'000;    // per session and direction: 400 Mbit/s, so one transfer cannot fill a gigabit link
  // Supervision: restart after 1 s, doubling to 60 s; a run of 30 s resets the delay.
  std::chrono::milliseconds first_restart_delay{1'000};
  std::chrono::milliseconds max_restart_delay{60'000};
  std::chrono::milliseconds stable_after{30'000};
  std::chrono::milliseconds stop_timeout{3'000};     // SIGTERM, then SIGKILL
  std::uint64_t log_max_bytes = 4 * 1024 * 1024;     // coturn.log, then coturn.log.1
  std::chrono::milliseconds log_check_interval{60'000};
};

}  // namespace peerdrop::relay
