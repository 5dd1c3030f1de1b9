#pragma once

#include <systemd/sd-bus.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace peerdrop::notify {

// A D-Bus connection (sd-bus) driven by the daemon's event loop, with no
// thread of its own: sd-bus says what it waits for (sd_bus_get_fd,
// sd_bus_get_events, sd_bus_get_timeout), an asio stream_descriptor waits
// for the socket and a steady_timer for the deadline, and sd_bus_process
// handles what came. Messages are queued on get() with sd-bus's async calls;
// wake() after queueing makes the loop wait for the socket to take them.
//
// A connection that ends (the bus went away, sd-bus failed) is closed here
// and reported once through `on_lost`, from the event loop.
class SessionBus {
 public:
  using LostHandler = std::function<void(const std::string& why)>;

  // Connects to `address` ("unix:path=…"), or with an empty one to the
  // user's session bus ($DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus).
  // Fails when there is none: ENOMEDIUM when neither variable is set, else
  // what connecting said (e.g. ENOENT: no socket there).
  static boost::system::result<std::unique_ptr<SessionBus>> open(boost::asio::any_io_executor executor,
                                                                 const std::string& address, LostHandler on_lost);
  ~SessionBus();
  SessionBus(const SessionBus&) = delete;
  SessionBus& operator=(const SessionBus&) = delete;

  // The connection, or nullptr once it ended or was closed.
  sd_bus* get() const { return close_requested_ ? nullptr : bus_; }
  // Call after queuing a message: waits for the socket to take it.
  void wake();
  // Ends the connection once every call has its reply and every message is
  // written, or after `grace`, whichever comes first.
  void close_when_done(std::chrono::milliseconds grace);
  // Ends the connection without waiting; queued messages that the socket has
  // not taken are dropped. Called from a callback of sd_bus_process, it ends
  // the connection once that returns.
  void close();

 private:
  SessionBus(boost::asio::any_io_executor executor, sd_bus* bus, LostHandler on_lost);
  void process();
  void arm();
  void lose(int error);

  sd_bus* bus_;
  boost::asio::posix::stream_descriptor socket_;  // sd-bus's descriptor: released, never closed, here
  boost::asio::steady_timer timer_;
  std::optional<std::chrono::steady_clock::time_point> timer_at_;
  std::optional<std::chrono::steady_clock::time_point> close_by_;  // close_when_done's deadline
  LostHandler on_lost_;
  bool reading_ = false;
  bool writing_ = false;
  bool process_posted_ = false;
  bool processing_ = false;
  bool close_requested_ = false;
  // Handlers hold a weak reference: one that runs after the destructor sees it expired.
  std::shared_ptr<SessionBus*> self_ = std::make_shared<SessionBus*>(this);
};

}  // namespace peerdrop::notify
