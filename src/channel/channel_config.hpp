#pragma once

#include <chrono>
#include <cstddef>

namespace peerdrop::channel {

// The daemons' authenticated channels (docs/protocol.md, "Daemon channel, version 2").
struct ChannelConfig {
  std::chrono::milliseconds handshake_timeout{5'000};  // TCP connect + TLS handshake
  std::chrono::milliseconds ping_interval{15'000};     // a ping when nothing was sent for this long
  std::chrono::milliseconds idle_timeout{45'000};      // closed when nothing arrived for this long
  std::chrono::milliseconds write_timeout{20'000};     // closed when a write stalls for this long
  std::size_t max_queued_bytes = 8 * 1024 * 1024;      // per channel; send() refuses past it
  std::size_t max_channels = 512;                      // open channels (both directions)
  std::size_t max_handshakes_per_address = 8;          // inbound handshakes under way from one IP
};

}  // namespace peerdrop::channel
