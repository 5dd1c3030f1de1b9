#pragma once

#include <chrono>
#include <cstdint>

namespace peerdrop::core {

// Everything with TTLs, expiry, backoff or rate limits takes its time from here,
// so tests can drive time with a fake clock instead of sleeping.
class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  // Monotonic time, for intervals and expiry.
  virtual TimePoint now() const = 0;
  // Wall-clock time in Unix milliseconds, for timestamps shown to people and put on the wire.
  virtual std::int64_t unix_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
  std::int64_t unix_ms() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace peerdrop::core
