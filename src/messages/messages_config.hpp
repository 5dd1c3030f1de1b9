#pragma once

#include <chrono>
#include <cstddef>

namespace peerdrop::messages {

// Limits of messages daemon to daemon (docs/protocol.md, "Messages").
struct MessagesConfig {
  // How long an outgoing message waits for the peer's daemon before it expires (--message-ttl).
  std::chrono::milliseconds ttl{std::chrono::hours(24 * 7)};
  std::size_t max_history_per_peer = 10'000;  // both directions; the oldest go first
  std::size_t max_queued_per_peer = 5'000;    // undelivered outgoing messages; more is queue_full
  // At most this many of a peer's queued messages (and bytes of text) are in
  // the signaling outbox at once; the rest wait here, in order.
  std::size_t window_messages = 64;
  std::size_t window_bytes = 256 * 1024;
  std::chrono::milliseconds tick_interval{1'000};  // expiry and retries of what could not be queued
};

}  // namespace peerdrop::messages
