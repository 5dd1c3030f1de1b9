#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "identity/identity.hpp"

namespace peerdrop::discovery {

// How a peer was found; a peer accumulates sources (a bit set).
enum class PeerSource : unsigned {
  none = 0,  // a liveness check: refreshes the peer, adds no source
  broadcast = 1,
  scan = 2,
  manual = 4,
  inbound = 8,
  persisted = 16,
};

struct PeerAddress {
  std::string ip;
  std::uint16_t port = 0;

  std::string to_string() const;
  bool operator==(const PeerAddress&) const = default;
};

struct PeerInfo {
  std::string id;
  std::string name;
  identity::PublicKey public_key{};
  std::vector<PeerAddress> addresses;  // most recent first
  std::uint16_t discovery_port = 0;
  unsigned sources = 0;
  bool online = false;
  std::int64_t last_seen_ms = 0;       // Unix ms; 0 = not heard since we know it
  std::int64_t last_connected_ms = 0;  // Unix ms a UI here last had a connection with it; 0 = never
  // It runs a TURN relay and offers credentials for it (its announcements' flag
  // Announcement::kFlagRelay, or its health answer's relay state "running"). Not persisted.
  bool relay = false;

  bool has_source(PeerSource s) const { return (sources & static_cast<unsigned>(s)) != 0; }
};

// The names used in the API: "broadcast", "scan", "manual", "inbound", "persisted".
std::vector<std::string> source_names(unsigned sources);

}  // namespace peerdrop::discovery
