#pragma once

#include <chrono>

#include "core/clock.hpp"

namespace peerdrop::testing {

// Time that moves only when a test says so.
class FakeClock final : public core::Clock {
 public:
  TimePoint now() const override { return now_; }
  std::int64_t unix_ms() const override { return unix_ms_; }
  void advance(std::chrono::milliseconds by) {
    now_ += by;
    unix_ms_ += by.count();
  }
  void set_unix_ms(std::int64_t ms) { unix_ms_ = ms; }

 private:
  TimePoint now_{std::chrono::hours(1000)};
  std::int64_t unix_ms_ = 1'764'000'000'000;
};

}  // namespace peerdrop::testing
