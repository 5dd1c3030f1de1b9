#pragma once

#include <chrono>
#include <cstddef>

#include "signaling/outbox.hpp"

namespace peerdrop::signaling {

struct SignalingConfig {
  Outbox::Limits outbox;
  std::chrono::milliseconds purge_interval{1'000};   // expired messages are purged (and reported) this often
  std::size_t max_batch_messages = 128;              // envelopes per channel frame
  std::size_t max_batch_bytes = 512 * 1024;
  std::size_t max_frames = 256;                      // envelopes a peer may put in one frame
};

}  // namespace peerdrop::signaling
