#pragma once

#include <cstdint>
#include <deque>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "channel/peer_channels.hpp"

namespace peerdrop::testing {

// Daemon channels without sockets: a test says which peers have one up, and
// every frame sent waits in `in_flight`, in order, until the test carries it
// to the other side (or drops it, as a channel that closes does).
class FakePeerChannels final : public channel::PeerChannels {
 public:
  struct Frame {
    std::string peer;
    channel::FrameType type;
    std::vector<std::uint8_t> payload;
  };

  bool connected(const std::string& peer) const override { return up_.count(peer) > 0; }
  bool send(const std::string& peer, channel::FrameType type, std::span<const std::uint8_t> payload) override {
    if (!connected(peer)) return false;
    in_flight.push_back(Frame{peer, type, {payload.begin(), payload.end()}});
    return true;
  }

  std::size_t queued_bytes(const std::string&) const override { return 0; }

  void up(const std::string& peer) { up_.insert(peer); }
  // The channel closes: what was in flight to the peer is lost.
  void down(const std::string& peer) {
    up_.erase(peer);
    std::erase_if(in_flight, [&](const Frame& frame) { return frame.peer == peer; });
  }

  std::deque<Frame> in_flight;

 private:
  std::set<std::string> up_;
};

}  // namespace peerdrop::testing
