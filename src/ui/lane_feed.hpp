#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <string>

#include "lane/lane_control.hpp"
#include "ui/ui_sender.hpp"

namespace peerdrop::ui {

// The tabs' view of the transfer lane: {"type":"transfers","transfers":[…],
// "offers":[…]} (docs/protocol.md, "UI messages") to a tab when it opens,
// and to every tab when something changed, at most once per push_delay
// (progress of a running transfer is such a change).
class LaneFeed {
 public:
  LaneFeed(boost::asio::any_io_executor executor, UiSender& tabs, const lane::LaneControl& lane,
           std::chrono::milliseconds push_delay = std::chrono::milliseconds(250));

  void greet(Tab tab);
  void changed();
  void stop();

 private:
  std::string message() const;

  UiSender& tabs_;
  const lane::LaneControl& lane_;
  std::chrono::milliseconds push_delay_;
  boost::asio::steady_timer timer_;
  bool pending_ = false;
  bool stopped_ = false;
};

}  // namespace peerdrop::ui
