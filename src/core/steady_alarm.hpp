#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>

#include "core/alarm.hpp"

namespace peerdrop::core {

// The Alarm on the event loop: an asio steady_timer (core::SystemClock's time).
class SteadyAlarm final : public Alarm {
 public:
  explicit SteadyAlarm(boost::asio::any_io_executor executor) : timer_(std::move(executor)) {}
  void set(core::Clock::TimePoint at, std::function<void()> fire) override;
  void cancel() override;

 private:
  boost::asio::steady_timer timer_;
  std::uint64_t generation_ = 0;  // a wake-up already queued when the alarm was reset is dropped
};

}  // namespace peerdrop::core
