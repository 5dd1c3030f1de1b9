#pragma once

#include <chrono>
#include <cstddef>

#include "signaling/outbox.hpp"

namespace peerdrop::signaling {

struct SignalingConfig {
  Outbox::Limits outbox;
  std::chrono::milliseconds push_timeout{3'000};     // one push exchange
  std::chrono::milliseconds backoff_initial{200};    // after a failed push, doubled up to backoff_max, ±25% jitter
  std::chrono::milliseconds backoff_max{5'000};
  std::chrono::milliseconds poll_hold{25'000};       // how long we hold a peer's long-poll open
  std::chrono::milliseconds poll_grace{30'000};      // keep polling a peer this long after the last reason to
  std::chrono::milliseconds purge_interval{1'000};   // expired messages are purged (and reported) this often
  std::size_t max_batch_messages = 128;              // envelopes per exchange
  std::size_t max_batch_bytes = 512 * 1024;
  std::size_t max_request_bytes = 1024 * 1024;       // body limit of POST /api/signal
  std::size_t max_frames = 256;
};

}  // namespace peerdrop::signaling
