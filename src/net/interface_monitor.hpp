#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/generic/raw_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <vector>

#include "core/logging.hpp"
#include "net/network_interfaces.hpp"

namespace peerdrop::net {

// Tells its owner when the machine's IPv4 addresses change: at once through a
// netlink route socket, and by a slow poll as a fallback where netlink is not
// available. The callback gets the new full list.
class InterfaceMonitor {
 public:
  using Callback = std::function<void(const std::vector<InterfaceAddress>&)>;

  InterfaceMonitor(boost::asio::any_io_executor executor, std::chrono::milliseconds poll_interval,
                   core::Logger logger);
  void start(Callback on_change);
  void stop();
  const std::vector<InterfaceAddress>& current() const { return current_; }

 private:
  boost::asio::awaitable<void> watch_netlink();
  boost::asio::awaitable<void> poll();
  void refresh();

  boost::asio::any_io_executor executor_;
  std::chrono::milliseconds poll_interval_;
  core::Logger logger_;
  boost::asio::generic::raw_protocol::socket netlink_;
  boost::asio::steady_timer poll_timer_;
  boost::asio::steady_timer debounce_timer_;
  std::vector<InterfaceAddress> current_;
  Callback on_change_;
  bool stopped_ = false;
};

}  // namespace peerdrop::net
