#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace peerdrop::testing {

// Waits for `condition` to hold, checking every 20 ms, for at most `timeout`.
inline bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

}  // namespace peerdrop::testing
