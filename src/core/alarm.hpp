#pragma once

#include <functional>

#include "core/clock.hpp"

namespace peerdrop::core {

// "Call me back at this time": the one timer the supervisor needs, so its
// tests can fire it by hand after moving a fake clock. Setting it again
// replaces the previous wake-up.
class Alarm {
 public:
  virtual ~Alarm() = default;
  virtual void set(core::Clock::TimePoint at, std::function<void()> fire) = 0;
  virtual void cancel() = 0;
};

}  // namespace peerdrop::core
