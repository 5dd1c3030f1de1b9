#include "relay/coturn_config.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <utility>
#include <vector>

namespace peerdrop::relay {
namespace {

using net::Ipv4Subnet;

struct Block {
  std::uint32_t first;
  std::uint32_t last;
};

// Never reachable through the relay, whatever the LAN's subnets are: "this
// network" (0/8), link-local (169.254/16: cloud metadata services live there)
// and multicast, reserved and broadcast (224/3). Loopback (127/8) only in loopback mode.
constexpr std::array<Block, 3> kNeverReachable{{
    {0x00000000, 0x00ffffff},
    {0xa9fe0000, 0xa9feffff},
    {0xe0000000, 0xffffffff},
}};
constexpr Block kLoopback{0x7f000000, 0x7fffffff};

// `ranges` (sorted, disjoint) without `cut`.
std::vector<Block> subtract(const std::vector<Block>& ranges, const Block& cut) {
  std::vector<Block> out;
  for (const auto& r : ranges) {
    if (cut.last < r.first || r.last < cut.first) {
      out.push_back(r);
      continue;
    }
    if (r.first < cut.first) out.push_back({r.first, cut.first - 1});
    if (cut.last < r.last) out.push_back({cut.last + 1, r.last});
  }
  return out;
}

// Sorted, with overlapping and adjacent blocks joined.
std::vector<Block> merged(std::vector<Block> blocks) {
  std::sort(blocks.begin(), blocks.end(), [](const Block& a, const Block& b) { return a.first < b.first; });
  std::vector<Block> out;
  for (const auto& b : blocks) {
    if (!out.empty() && (b.first <= out.back().last || b.first - 1 == out.back().last)) {
      out.back().last = std::max(out.back().last, b.last);
    } else {
      out.push_back(b);
    }
  }
  return out;
}

// A subnet's host addresses: without its network and broadcast addresses below /31.
Block hosts_of(const Ipv4Subnet& subnet) {
  const auto first = subnet.network();
  const auto last = subnet.network() | ~subnet.netmask();
  if (subnet.prefix() >= 31) return {first, last};
  return {first + 1, last - 1};
}

bool has_control_character(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

bool is_valid_path(const std::filesystem::path& path) {
  return path.is_absolute() && !has_control_character(path.native());
}

bool is_chrome_turn_port(std::uint16_t port) { return port >= 1024 || port == 53 || port == 80 || port == 443; }

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

}  // namespace

std::vector<CoturnConfig::PeerRange> CoturnConfig::allowed_ranges() const {
  std::vector<Block> blocks;
  if (loopback) {
    blocks.push_back(kLoopback);
  } else {
    for (const auto& subnet : lan_subnets) blocks.push_back(hosts_of(subnet));
    blocks = merged(std::move(blocks));
    for (const auto& never : kNeverReachable) blocks = subtract(blocks, never);
    blocks = subtract(blocks, kLoopback);
  }
  std::vector<PeerRange> out;
  for (const auto& b : blocks) out.push_back({Ipv4Subnet::format_address(b.first), Ipv4Subnet::format_address(b.last)});
  return out;
}

std::optional<std::string> CoturnConfig::problem() const {
  if (listening_ips.empty()) {
    return "the TURN relay has no IPv4 address to listen on (no usable interface; check --interface)";
  }
  return options_problem();
}

std::optional<std::string> CoturnConfig::options_problem() const {
  for (const auto* list : {&listening_ips, &relay_ips}) {
    for (const auto& ip : *list) {
      if (!Ipv4Subnet::parse_address(ip)) return "\"" + ip.substr(0, 40) + "\" is not an IPv4 address";
    }
  }
  if (listening_port == 0 || !is_chrome_turn_port(listening_port)) {
    return "TURN port " + std::to_string(listening_port) +
           " cannot be used: browsers refuse TURN servers on ports below 1024 other than 53, 80 and 443 "
           "(choose --turn-port 3478 or another port from 1024 up)";
  }
  if (min_port < 1024 || min_port > max_port) {
    return "the relay port range " + std::to_string(min_port) + "-" + std::to_string(max_port) +
           " is not valid: it must start at 1024 or above and end at or above its start";
  }
  if (listening_port >= min_port && listening_port <= max_port) {
    return "TURN port " + std::to_string(listening_port) + " lies inside the relay port range " +
           std::to_string(min_port) + "-" + std::to_string(max_port) + "; choose one outside it";
  }
  const bool realm_ok = !realm.empty() && realm.size() <= 64 && std::all_of(realm.begin(), realm.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
  });
  if (!realm_ok) return "the TURN realm must be 1 to 64 letters, digits, dots or hyphens";
  for (const auto* path : {&pid_file, &userdb_file}) {
    if (!is_valid_path(*path)) return "the TURN relay's files need an absolute data dir path without control characters";
  }
  if (tls_certificate.has_value() != tls_private_key.has_value()) {
    return "TLS for the TURN relay needs both a certificate and its private key";
  }
  if (tls_certificate && (!is_valid_path(*tls_certificate) || !is_valid_path(*tls_private_key))) {
    return "the TURN relay's certificate and key need absolute paths without control characters";
  }
  if (max_users == 0 || user_quota == 0 || std::uint64_t{user_quota} * max_users > total_quota) {
    return "the TURN relay's quotas leave users without allocations: " + std::to_string(max_users) + " users × " +
           std::to_string(user_quota) + " allocations each must fit in the total of " + std::to_string(total_quota);
  }
  return std::nullopt;
}

std::string CoturnConfig::render(std::string_view secret) const {
  std::string out;
  const auto line = [&out](std::string_view key, std::string_view value = {}) {
    out += key;
    if (!value.empty()) {
      out += '=';
      out += value;
    }
    out += '\n';
  };
  out += "# turnserver.conf for the TURN relay that peerdropd runs (--turn): written at every start,\n";
  out += "# edits are lost. It holds the relay's shared secret: mode 0600, never shown or logged.\n";

  out += "\n# Where it listens and relays: the chosen interfaces' addresses only.\n";
  for (const auto& ip : listening_ips) line("listening-ip", ip);
  for (const auto& ip : relay_ips.empty() ? listening_ips : relay_ips) line("relay-ip", ip);
  line("listening-port", std::to_string(listening_port));
  line("min-port", std::to_string(min_port));
  line("max-port", std::to_string(max_port));

  out += "\n# TURN REST API credentials: user \"<expiry>:<peer id>\", password base64(HMAC-SHA1(secret, user)).\n";
  line("use-auth-secret");
  line("static-auth-secret", secret);
  line("realm", realm);
  line("fingerprint");
  line("stale-nonce", "600");
  // Nothing from the system's coturn installation: its own database file, no
  // dynamic secrets, realms or peer lists (they live in that database).
  line("userdb", userdb_file.native());
  line("no-dynamic-ip-list");
  line("no-dynamic-realms");
  line("no-auth-pings");

  out += "\n# Only what WebRTC needs: UDP relays over UDP or TCP, STUN Binding answers (browsers send one to\n";
  out += "# every TURN server and wait 40 s for it), no TCP relays (RFC 6062 would make it a TCP proxy into\n";
  out += "# the LAN), no admin interfaces.\n";
  if (tls_certificate && tls_private_key) {
    line("cert", tls_certificate->native());
    line("pkey", tls_private_key->native());
  } else {
    line("no-tls");
    line("no-dtls");
  }
  line("no-tcp-relay");
  line("no-rfc5780");
  line("no-stun-backward-compatibility");
  line("no-software-attribute");
  line("no-cli");

  out += "\n# Quotas: allocations per user (peer id) and in all, bytes per second per session and direction;\n";
  out += "# at most " + std::to_string(max_users) + " users hold credentials at once, so each can have its share.\n";
  line("user-quota", std::to_string(user_quota));
  line("total-quota", std::to_string(total_quota));
  line("max-bps", std::to_string(max_bps));

  out += "\n# Peers: the subnets PeerDrop discovers on and nothing else. Everything is denied, then their\n";
  out += "# hosts are allowed (coturn lets an allowed range win), less loopback, link-local, multicast\n";
  out += "# and 0/8" + std::string(loopback ? "; loopback mode: 127/8 only.\n" : ".\n");
  line("denied-peer-ip", "0.0.0.0-255.255.255.255");
  line("denied-peer-ip", "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  for (const auto& range : allowed_ranges()) line("allowed-peer-ip", range.first + "-" + range.last);
  line("no-multicast-peers");
  if (loopback) line("allow-loopback-peers");

  out += "\n# Logs to stdout, which peerdropd writes to coturn.log next to this file.\n";
  line("log-file", "stdout");
  line("simple-log");
  line("pidfile", pid_file.native());
  return out;
}

std::string CoturnConfig::describe() const {
  std::vector<std::string> endpoints;
  for (const auto& ip : listening_ips) endpoints.push_back(ip + ":" + std::to_string(listening_port));
  return join(endpoints, ", ") + " (UDP and TCP), relay ports " + std::to_string(min_port) + "-" +
         std::to_string(max_port) + (loopback ? ", loopback only" : "");
}

}  // namespace peerdrop::relay
