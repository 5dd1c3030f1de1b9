#include "notify/session_bus.hpp"

#include <poll.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace peerdrop::notify {

namespace asio = boost::asio;

namespace {

// Messages handled before the loop gets a turn for other work.
constexpr int kMessagesPerTurn = 64;

boost::system::error_code errno_code(int error) { return {error, boost::system::system_category()}; }

int connect(const std::string& address, sd_bus** bus) {
  if (address.empty()) return sd_bus_open_user(bus);
  sd_bus* b = nullptr;
  int r = sd_bus_new(&b);
  if (r < 0) return r;
  if ((r = sd_bus_set_address(b, address.c_str())) < 0 || (r = sd_bus_set_bus_client(b, 1)) < 0 ||
      (r = sd_bus_start(b)) < 0) {
    sd_bus_unref(b);
    return r;
  }
  *bus = b;
  return 0;
}

}  // namespace

boost::system::result<std::unique_ptr<SessionBus>> SessionBus::open(asio::any_io_executor executor,
                                                                    const std::string& address, LostHandler on_lost) {
  sd_bus* bus = nullptr;
  const int r = connect(address, &bus);
  if (r < 0) return errno_code(-r);
  std::unique_ptr<SessionBus> session(new SessionBus(std::move(executor), bus, std::move(on_lost)));
  const int fd = sd_bus_get_fd(bus);
  if (fd < 0) return errno_code(-fd);
  boost::system::error_code ec;
  session->socket_.assign(fd, ec);
  if (ec) return ec;
  session->arm();
  return session;
}

SessionBus::SessionBus(asio::any_io_executor executor, sd_bus* bus, LostHandler on_lost)
    : bus_(bus), socket_(executor), timer_(executor), on_lost_(std::move(on_lost)) {}

SessionBus::~SessionBus() { close(); }

void SessionBus::close() {
  if (!bus_) return;
  if (processing_) {  // called back from inside sd_bus_process: closed once it returns
    close_requested_ = true;
    return;
  }
  timer_.cancel();
  if (socket_.is_open()) (void)socket_.release();  // sd-bus closes its own descriptor
  sd_bus_close_unref(bus_);
  bus_ = nullptr;
}

void SessionBus::wake() {
  if (bus_ && !processing_) arm();
}

void SessionBus::close_when_done(std::chrono::milliseconds grace) {
  if (!bus_) return;
  close_by_ = std::chrono::steady_clock::now() + grace;
  wake();
}

void SessionBus::lose(int error) {
  close();
  auto handler = std::move(on_lost_);
  on_lost_ = nullptr;
  if (handler) handler(std::strerror(error));
}

void SessionBus::process() {
  if (!bus_) return;
  processing_ = true;
  int r = 0;
  int handled = 0;
  while (handled < kMessagesPerTurn && (r = sd_bus_process(bus_, nullptr)) > 0) ++handled;
  processing_ = false;
  if (close_requested_) return close();
  if (r < 0) return lose(-r);
  if (sd_bus_is_open(bus_) <= 0) return lose(ENOTCONN);
  if (handled == kMessagesPerTurn) {  // more may be waiting: go on after the loop's other work
    if (!process_posted_) {
      process_posted_ = true;
      asio::post(socket_.get_executor(), [weak = std::weak_ptr<SessionBus*>(self_)] {
        if (const auto self = weak.lock()) {
          (*self)->process_posted_ = false;
          (*self)->process();
        }
      });
    }
  }
  arm();
}

void SessionBus::arm() {
  if (!bus_) return;
  const int events = sd_bus_get_events(bus_);
  if (events < 0) return lose(-events);
  const auto weak = std::weak_ptr<SessionBus*>(self_);
  const auto on_ready = [weak](bool SessionBus::*waiting) {
    return [weak, waiting](const boost::system::error_code& ec) {
      const auto self = weak.lock();
      if (!self || ec == asio::error::operation_aborted) return;
      (*self)->*waiting = false;
      if (ec) return (*self)->lose(ec.value());
      (*self)->process();
    };
  };
  if ((events & POLLIN) && !reading_) {
    reading_ = true;
    socket_.async_wait(asio::posix::stream_descriptor::wait_read, on_ready(&SessionBus::reading_));
  }
  if ((events & POLLOUT) && !writing_) {
    writing_ = true;
    socket_.async_wait(asio::posix::stream_descriptor::wait_write, on_ready(&SessionBus::writing_));
  }

  std::uint64_t usec = 0;
  const int r = sd_bus_get_timeout(bus_, &usec);
  if (r < 0) return lose(-r);
  std::optional<std::chrono::steady_clock::time_point> at;
  // sd-bus's deadlines are CLOCK_MONOTONIC microseconds, the clock of steady_clock on Linux.
  if (usec != UINT64_MAX) at = std::chrono::steady_clock::time_point(std::chrono::microseconds(usec));
  if (close_by_) {
    // No deadline of sd-bus's own means no reply awaited; no POLLOUT, nothing left to write.
    if ((!at && !(events & POLLOUT)) || std::chrono::steady_clock::now() >= *close_by_) return close();
    at = at ? std::min(*at, *close_by_) : *close_by_;
  }
  if (at == timer_at_) return;
  timer_at_ = at;
  if (!at) {
    timer_.cancel();
    return;
  }
  timer_.expires_at(*at);
  timer_.async_wait([weak](const boost::system::error_code& ec) {
    const auto self = weak.lock();
    if (!self || ec == asio::error::operation_aborted) return;
    (*self)->timer_at_.reset();
    (*self)->process();
  });
}

}  // namespace peerdrop::notify
