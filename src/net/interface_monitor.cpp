#include "net/interface_monitor.hpp"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace peerdrop::net {

namespace asio = boost::asio;

InterfaceMonitor::InterfaceMonitor(asio::any_io_executor executor, std::chrono::milliseconds poll_interval,
                                   core::Logger logger)
    : executor_(executor),
      poll_interval_(poll_interval),
      logger_(std::move(logger)),
      netlink_(executor),
      poll_timer_(executor),
      debounce_timer_(executor),
      current_(list_interface_addresses()) {}

void InterfaceMonitor::start(Callback on_change) {
  on_change_ = std::move(on_change);
  boost::system::error_code ec;
  const asio::generic::raw_protocol protocol(AF_NETLINK, NETLINK_ROUTE);
  netlink_.open(protocol, ec);
  if (!ec) {
    sockaddr_nl address{};
    address.nl_family = AF_NETLINK;
    address.nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_LINK;
    netlink_.bind(asio::generic::raw_protocol::endpoint(&address, sizeof address), ec);
  }
  if (ec) {
    logger_->info("address changes are not watched live (netlink: {}); checking every {} s instead", ec.message(),
                  poll_interval_.count() / 1000);
  } else {
    asio::co_spawn(executor_, watch_netlink(), core::log_exceptions(logger_, "interface watch"));
  }
  asio::co_spawn(executor_, poll(), core::log_exceptions(logger_, "interface poll"));
}

void InterfaceMonitor::stop() {
  stopped_ = true;
  boost::system::error_code ignored;
  netlink_.close(ignored);
  poll_timer_.cancel();
  debounce_timer_.cancel();
}

asio::awaitable<void> InterfaceMonitor::watch_netlink() {
  std::array<char, 8192> buffer{};
  while (!stopped_) {
    auto [ec, n] = co_await netlink_.async_receive(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
    if (ec || stopped_) co_return;
    // Addresses often change in bursts (link up, then address, then route): settle first.
    debounce_timer_.expires_after(std::chrono::milliseconds(100));
    auto [wait_ec] = co_await debounce_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (stopped_) co_return;
    if (!wait_ec) refresh();
  }
}

asio::awaitable<void> InterfaceMonitor::poll() {
  while (!stopped_) {
    poll_timer_.expires_after(poll_interval_);
    auto [ec] = co_await poll_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || stopped_) co_return;
    refresh();
  }
}

void InterfaceMonitor::refresh() {
  auto latest = list_interface_addresses();
  if (latest == current_) return;
  current_ = std::move(latest);
  logger_->info("network addresses changed ({} IPv4 addresses now)", current_.size());
  if (on_change_) on_change_(current_);
}

}  // namespace peerdrop::net
