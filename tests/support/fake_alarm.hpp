#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <optional>

#include "core/alarm.hpp"
#include "support/fake_clock.hpp"

namespace peerdrop::testing {

// An Alarm that rings only when a test says so (after moving the fake clock to its time).
class FakeAlarm final : public core::Alarm {
 public:
  void set(core::Clock::TimePoint at, std::function<void()> fire) override {
    at_ = at;
    fire_ = std::move(fire);
  }
  void cancel() override {
    at_.reset();
    fire_ = nullptr;
  }
  std::optional<core::Clock::TimePoint> at() const { return at_; }
  // How long from the clock's now until it rings.
  std::chrono::milliseconds due_in(const FakeClock& clock) const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(*at_ - clock.now());
  }
  // Moves the clock to the alarm's time and fires it.
  void ring(FakeClock& clock) {
    ASSERT_TRUE(at_) << "no alarm is set";
    clock.advance(std::chrono::duration_cast<std::chrono::milliseconds>(*at_ - clock.now()));
    auto fire = std::move(fire_);
    at_.reset();
    fire();
  }

 private:
  std::optional<core::Clock::TimePoint> at_;
  std::function<void()> fire_;
};

}  // namespace peerdrop::testing
