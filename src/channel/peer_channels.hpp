#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "channel/channel_frame.hpp"

namespace peerdrop::channel {

// What the domains need of the daemon channels: whether a peer has one up,
// and a frame sent on it. ChannelHub is the implementation; tests use a fake.
class PeerChannels {
 public:
  virtual ~PeerChannels() = default;
  virtual bool connected(const std::string& peer) const = 0;
  // Sends on the peer's channel; false (nothing sent) if it has none or its queue is full.
  virtual bool send(const std::string& peer, FrameType type, std::span<const std::uint8_t> payload) = 0;
  // Bytes waiting in the peer's channel queue (0 without a channel): bulk senders keep it low.
  virtual std::size_t queued_bytes(const std::string& peer) const = 0;
};

}  // namespace peerdrop::channel
