#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace peerdrop::net {

// "host", "host:port", "1.2.3.4:5", "[::1]:5" as typed by a person or sent by the UI.
struct HostPort {
  std::string host;
  std::uint16_t port = 0;

  // Nothing for malformed input; `default_port` when no port is given.
  static std::optional<HostPort> parse(std::string_view text, std::uint16_t default_port);
  std::string to_string() const;
};

}  // namespace peerdrop::net
