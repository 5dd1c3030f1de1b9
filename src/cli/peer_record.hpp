#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerdrop::cli {

// A peer as GET /api/peers describes it, with what `peerdrop` shows.
struct PeerRecord {
  std::string id;
  std::string name;
  std::vector<std::string> addresses;  // proven by a handshake, most recent first
  bool online = false;
  bool verified = false;  // a handshake proved its key
  bool outdated = false;  // it speaks only an older protocol
  std::int64_t last_seen_ms = 0;
};

// GET /api/peers's answer; nothing unless it is an array of peers whose
// fields (id, name, addresses, online, verified, lastSeen; outdated when
// present) each have their documented type.
std::optional<std::vector<PeerRecord>> parse_peer_records(std::string_view body);

}  // namespace peerdrop::cli
