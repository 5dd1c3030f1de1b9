#include "core/steady_alarm.hpp"

namespace peerdrop::core {

void SteadyAlarm::set(core::Clock::TimePoint at, std::function<void()> fire) {
  const auto generation = ++generation_;
  timer_.expires_at(at);
  timer_.async_wait([this, generation, fire = std::move(fire)](const boost::system::error_code& ec) {
    if (ec || generation != generation_) return;
    fire();
  });
}

void SteadyAlarm::cancel() {
  ++generation_;
  timer_.cancel();
}

}  // namespace peerdrop::core
