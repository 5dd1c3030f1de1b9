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
  inbound = 8,  // it opened a daemon channel to us
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
  // Where a TLS handshake proved this peer's key, most recent first: the only
  // addresses anything is sent to. Persisted.
  std::vector<PeerAddress> addresses;
  // Where something signed by it was heard from (announcements, scan
  // answers, its channel's source address), not proven yet. Not persisted.
  std::vector<PeerAddress> candidates;
  std::uint16_t discovery_port = 0;
  unsigned sources = 0;
  bool online = false;
  std::int64_t last_seen_ms = 0;       // Unix ms; 0 = not heard since we know it
  std::int64_t last_connected_ms = 0;  // Unix ms a UI here last had a connection with it; 0 = never
  // Unix ms this daemon first saw it (persisted); 0 = before this daemon recorded it (schema version 2 or older).
  std::int64_t first_seen_ms = 0;
  // It runs a TURN relay and offers credentials for it (its announcements' flag
  // Announcement::kFlagRelay, or its health answer's relay state "running"). Not persisted.
  bool relay = false;
  bool verified = false;  // a handshake proved its key (every persisted peer's was)
  bool channel = false;   // a daemon channel with it is up now
  bool outdated = false;  // it speaks only daemon protocol version 1: never connected to
  // The user compared verification codes and marked it verified (persisted).
  // Only a verified peer can be; its id is its key's hash, so a new key is another peer.
  bool confirmed = false;
  // The 6 digits both users compare (identity::verification_code of our key and its key); set
  // by the table for every peer it holds, answered only once `verified`.
  std::string verification_code;

  bool has_source(PeerSource s) const { return (sources & static_cast<unsigned>(s)) != 0; }
};

// The names used in the API: "broadcast", "scan", "manual", "inbound", "persisted".
std::vector<std::string> source_names(unsigned sources);

}  // namespace peerdrop::discovery
