#pragma once

#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace peerdrop::control {

// Where a running peerdropd answers its own user's control API, as it tells
// local clients (`peerdrop`) in <data-dir>/control-endpoint (docs/protocol.md,
// "The control endpoint file"):
//   {"url":"http://127.0.0.1:3001","pid":1234,"id":"<the daemon's peer id>"}
struct ControlEndpoint {
  std::string host;  // an IPv4 or IPv6 address literal, never a name (nothing to resolve)
  std::uint16_t port = 0;
  std::int64_t pid = 0;  // the daemon's process
  std::string id;        // the daemon's peer id, as GET /api/health answers it

  // "http://127.0.0.1:3001", "http://[::1]:3001"
  std::string url() const;
  // The Host header a request carries: "127.0.0.1:3001", "[::1]:3001"
  std::string authority() const;
};

inline constexpr const char* kControlEndpointFileName = "control-endpoint";
inline constexpr std::size_t kControlEndpointMaxBytes = 1024;

// The endpoint of a daemon whose HTTP server listens on bind:port, as a
// client on this machine reaches it: an unspecified address (0.0.0.0, ::)
// becomes the loopback address of its family.
ControlEndpoint endpoint_for(std::string_view bind, std::uint16_t port, std::int64_t pid, std::string id);

// The file's JSON (one line).
std::string serialize(const ControlEndpoint& endpoint);

// Reads the file's JSON as untrusted input: at most kControlEndpointMaxBytes;
// `url` exactly "http://" + an address literal + ":" + a port 1-65535, `pid`
// a positive integer, `id` a peer id (52 of A-Z, 2-7); unknown fields are
// ignored. core::Errc::too_large or core::Errc::malformed otherwise.
boost::system::result<ControlEndpoint> parse_control_endpoint(std::string_view text);

}  // namespace peerdrop::control
