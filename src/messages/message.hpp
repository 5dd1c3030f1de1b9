#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace peerdrop::messages {

// One message of a conversation with a peer, as this daemon keeps it.
struct Message {
  enum class Direction : std::uint8_t { in = 0, out = 1 };
  // An outgoing message is queued until the peer's daemon has it (delivered)
  // or its TTL ran out first (expired); an incoming one is received.
  enum class State : std::uint8_t { queued = 0, delivered = 1, expired = 2, received = 3 };

  std::int64_t seq = 0;       // this daemon's own order of its history (rises; `before` pages by it)
  std::string id;             // the sender's random id, unique per (peer, direction)
  std::string peer;           // the other daemon's peer id
  Direction direction = Direction::out;
  std::string text;           // UTF-8 (message_text.hpp)
  std::int64_t sent_at = 0;   // Unix ms, the sender's clock
  std::int64_t done_at = 0;   // Unix ms, ours: received (in), delivered or expired (out); 0 while queued
  std::int64_t expires_at = 0;  // Unix ms (out): undelivered by then, it expires
  State state = State::queued;
  bool read = false;          // incoming: the user saw it (outgoing ones are always read)

  bool operator==(const Message&) const = default;
};

std::string_view to_string(Message::State state);
std::string_view to_string(Message::Direction direction);

}  // namespace peerdrop::messages
