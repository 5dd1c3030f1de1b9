#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>

namespace peerdrop::cli {

// The speed of a transfer over its last few seconds, from samples of how
// many bytes were done when. Time comes from the caller (steady time).
class ProgressMeter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr std::chrono::milliseconds kWindow{3'000};  // the speed is over this much of the past
  static constexpr std::chrono::milliseconds kMinSpan{500};   // no speed before samples this far apart

  // Notes that `done_bytes` were done at `now`. A count that went back (a
  // resume that redoes a file) starts the measurement again.
  void add(TimePoint now, std::uint64_t done_bytes);

  // Bytes per second over the window; nothing until the samples span kMinSpan.
  std::optional<double> bytes_per_second() const;

 private:
  struct Sample {
    TimePoint at;
    std::uint64_t done_bytes;
  };
  std::deque<Sample> samples_;
};

}  // namespace peerdrop::cli
