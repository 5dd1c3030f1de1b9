#include "ui/lane_feed.hpp"

#include <boost/json/serialize.hpp>

namespace peerdrop::ui {

LaneFeed::LaneFeed(boost::asio::any_io_executor executor, UiSender& tabs, const lane::LaneControl& lane,
                   std::chrono::milliseconds push_delay)
    : tabs_(tabs), lane_(lane), push_delay_(push_delay), timer_(std::move(executor)) {}

void LaneFeed::greet(Tab tab) { tabs_.send_to(tab, message()); }

void LaneFeed::changed() {
  if (pending_ || stopped_) return;
  pending_ = true;
  timer_.expires_after(push_delay_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    pending_ = false;
    if (ec || stopped_ || tabs_.size() == 0) return;
    tabs_.broadcast(message());
  });
}

void LaneFeed::stop() {
  stopped_ = true;
  timer_.cancel();
}

std::string LaneFeed::message() const {
  auto transfers = lane_.list();
  auto offers = lane_.offers();
  boost::json::object out{{"type", "transfers"},
                          {"transfers", std::move(transfers["transfers"])},
                          {"offers", std::move(offers["offers"])}};
  return boost::json::serialize(out);
}

}  // namespace peerdrop::ui
