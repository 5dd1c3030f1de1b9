#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/ipv4_subnet.hpp"

namespace peerdrop::relay {

// What peerdropd tells coturn (turnserver.conf, coturn 4.6.1 option names;
// `man turnserver`). Pure: the file's text is made from these fields alone,
// so the tests check it line by line.
struct CoturnConfig {
  // An IPv4 range of peers the relay may reach, "first-last" as coturn writes it.
  struct PeerRange {
    std::string first;
    std::string last;
    bool operator==(const PeerRange&) const = default;
  };

  std::vector<std::string> listening_ips;  // IPv4 addresses of the chosen interfaces (127.0.0.1 in loopback mode)
  std::vector<std::string> relay_ips;      // empty: the listening addresses
  std::uint16_t listening_port = 3478;
  std::uint16_t min_port = 49160;
  std::uint16_t max_port = 49359;
  std::string realm = "peerdrop";
  bool loopback = false;                   // --loopback: loopback peers only (127.0.0.0/8, this machine included)
  // The subnets PeerDrop discovers on (discovery::DiscoveryService::subnets():
  // the chosen interfaces' and --scan's): the only peers the relay may reach.
  std::vector<net::Ipv4Subnet> lan_subnets;
  std::filesystem::path pid_file;
  std::filesystem::path userdb_file;       // coturn's own SQLite file, in the data dir (never /var/lib/turn)
  std::optional<std::filesystem::path> tls_certificate;  // both set: TLS and DTLS listeners; else no-tls, no-dtls
  std::optional<std::filesystem::path> tls_private_key;
  std::uint32_t user_quota = 32;           // allocations per TURN user (coturn counts them per peer id)
  std::uint32_t total_quota = 256;
  // TURN users that may hold credentials at once (this daemon's UI and the
  // peers granted; RelayConfig::max_grant_holders): user_quota × max_users ≤
  // total_quota, so no user can take the allocations the others are owed.
  std::uint32_t max_users = 8;
  std::uint64_t max_bps = 50'000'000;

  // The peers the relay may reach, in coturn's "first-last" form, sorted and
  // disjoint: the host addresses of the LAN subnets (network and broadcast
  // addresses left out) less 0.0.0.0/8, loopback, link-local (169.254/16),
  // multicast and above (224/3). This machine's own addresses on those
  // subnets stay in: its user's browser is there, and a peer's relay serves
  // connections with that peer. Its other addresses (loopback, container
  // bridges, VPNs) are outside them. In loopback mode: 127.0.0.0/8 only.
  std::vector<PeerRange> allowed_ranges() const;

  // Why coturn could not (or Chrome would not) use these settings, as a
  // sentence for an operator; nothing when they are fine. Chrome refuses TURN
  // ports below 1024 other than 53, 80 and 443.
  std::optional<std::string> problem() const;
  // The same without the addresses (none yet is no problem here): what the
  // options themselves get wrong, which no change of network can put right.
  std::optional<std::string> options_problem() const;

  // The text of turnserver.conf. `secret` appears in it once
  // (static-auth-secret); the file must be written 0600.
  std::string render(std::string_view secret) const;

  // For the log: "127.0.0.1:3478 (UDP and TCP), relay ports 49160-49359". Never the secret.
  std::string describe() const;
};

}  // namespace peerdrop::relay
