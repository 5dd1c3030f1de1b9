#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace peerdrop::discovery {

// Everything discovery can be told; defaults are the documented ones.
struct DiscoveryConfig {
  std::uint16_t port = 3001;                       // UDP announcements
  bool loopback = false;                           // --loopback: 127.0.0.1 only, nothing leaves the machine
  std::uint16_t loopback_first_port = 3001;        // loopback mode announces to this range...
  std::uint16_t loopback_last_port = 3016;         // ...and takes the first free port in it
  std::string multicast_group = "239.255.70.77";
  std::vector<std::string> interfaces;             // empty: every interface that is up
  std::chrono::milliseconds announce_interval{20'000};  // ±25% jitter
  double offline_after_intervals = 3.5;
  std::vector<std::string> scan_subnets;           // --scan CIDR
  std::vector<std::string> manual_peers;           // --peer HOST:PORT
  bool scan_enabled = true;                        // --no-scan turns off interface subnet scans
  int scan_min_prefix = 22;                        // interface subnets are capped to this size
  std::size_t scan_max_hosts = 1024;               // a --scan subnet larger than this is refused
  std::size_t scan_concurrency = 128;
  std::chrono::milliseconds scan_connect_timeout{250};
  std::chrono::milliseconds probe_timeout{1'500};  // connect + request + answer of one health probe
  std::chrono::milliseconds manual_probe_timeout{3'000};
  // A manual address (--peer, POST /api/peers) whose daemon has no channel
  // here is asked this often: behind a one-way firewall it cannot reach us,
  // so our asking is how it is found when it starts.
  std::chrono::milliseconds manual_probe_interval{1'000};
  std::chrono::milliseconds first_scan_delay{1'000};   // scan at start if nobody answered by then
  std::chrono::milliseconds scan_interval{60'000};     // --scan subnets are rescanned this often
  std::chrono::milliseconds interface_poll_interval{30'000};
  std::size_t max_peers = 512;
  // New identities heard from one source address per minute (a flood of fresh keys cannot fill the table).
  double new_peers_per_minute = 16;
  std::size_t max_connects = 16;                     // daemon-channel handshakes under way at once
  std::size_t max_candidate_tries = 5;               // an address that never proves its key is dropped after this
  std::chrono::milliseconds first_connect_retry{1'000};  // then doubling up to the announce interval
  double stun_rate_per_second = 20;                  // STUN answers to one source address
  double stun_burst = 40;
};

}  // namespace peerdrop::discovery
