#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace peerdrop::cli {

// What GET /api/health says about the daemon (open to anyone: no token needed).
struct DaemonHealth {
  std::string id;
  std::string name;
  std::string version;
  std::uint16_t port = 0;
  // The managed TURN relay ("relay" in the answer): on or off, its state in a word, its port while it has one.
  bool relay_enabled = false;
  std::string relay_state = "off";
  std::optional<std::uint16_t> relay_port;
};

// Nothing unless id, name, version and port are there with their types
// (relay, when present, an object with "enabled" and "state").
std::optional<DaemonHealth> parse_daemon_health(std::string_view body);

}  // namespace peerdrop::cli
