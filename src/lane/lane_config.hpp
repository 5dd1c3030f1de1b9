#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace peerdrop::lane {

// Files daemon to daemon over the authenticated channel (docs/protocol.md, "Transfer lane").
struct LaneConfig {
  // --offer-timeout: an offer nobody answered is declined as expired after this long.
  std::chrono::milliseconds offer_timeout{std::chrono::minutes(10)};
  // A sender gives up on an offer the peer never saw (it stayed unreachable) after offer_timeout plus this.
  std::chrono::milliseconds unanswered_grace{std::chrono::minutes(1)};
  // Bytes a receiver lets the sender have in flight beyond what it has written.
  std::uint64_t window_bytes = 4 * 1024 * 1024;
  // The receiver grants more credit after writing this much.
  std::uint64_t credit_step_bytes = 1024 * 1024;
  // The sender's read size: one data frame.
  std::size_t chunk_bytes = 256 * 1024;
  // The sender waits while its channel's queue holds more than this (signaling shares the queue).
  std::size_t channel_high_water = 2 * 1024 * 1024;
  // How often a receiver whose disk was full tries again.
  std::chrono::milliseconds disk_retry_interval{5'000};
  // Limits of one offer.
  std::size_t max_files = 20'000;
  // Finished transfers (either direction) kept for the lists and the CLI.
  std::size_t max_kept_finished = 200;
};

}  // namespace peerdrop::lane
