#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "channel/channel_config.hpp"
#include "channel/channel_frame.hpp"
#include "core/clock.hpp"
#include "core/logging.hpp"

namespace peerdrop::channel {

// One authenticated channel to another daemon: a TLS 1.3 stream whose other
// end proved `peer_id` (its certificate's key) during the handshake. It owns
// itself while its I/O runs (shared_from_this). Frames read are handed to
// the listener as they come; frames to send wait in a queue bounded in
// bytes. A ping goes out when nothing was sent for a while; a channel on
// which nothing arrives for idle_timeout, or whose write stalls, is closed.
class DaemonChannel : public std::enable_shared_from_this<DaemonChannel> {
 public:
  using Stream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;
  enum class Direction { inbound, outbound };  // who opened it: the peer, or this daemon

  class Listener {
   public:
    virtual ~Listener() = default;
    // A frame of a known type; `payload` is valid during the call only.
    virtual void frame(DaemonChannel& channel, FrameType type, std::span<const std::uint8_t> payload) = 0;
    virtual void closed(DaemonChannel& channel) = 0;  // once, after close() or an error
  };

  DaemonChannel(Stream stream, Direction direction, std::string peer_id, boost::asio::ip::tcp::endpoint remote,
                std::uint64_t serial, const ChannelConfig& config, const core::Clock& clock, Listener& listener,
                core::Logger logger);

  void start();
  // Queues a frame; false (nothing queued) when the channel is closed or its queue is full.
  bool send(FrameType type, std::span<const std::uint8_t> payload);
  void close();

  const std::string& peer_id() const { return peer_id_; }
  Direction direction() const { return direction_; }
  const boost::asio::ip::tcp::endpoint& remote() const { return remote_; }
  std::uint64_t serial() const { return serial_; }  // rises with every channel the hub opens or accepts
  bool open() const { return !closing_; }
  std::size_t queued_bytes() const { return queued_bytes_; }

 private:
  boost::asio::awaitable<void> read_loop();
  boost::asio::awaitable<void> write_loop();
  boost::asio::awaitable<void> keepalive();

  Stream stream_;
  Direction direction_;
  std::string peer_id_;
  boost::asio::ip::tcp::endpoint remote_;
  std::uint64_t serial_;
  const ChannelConfig& config_;
  const core::Clock& clock_;
  Listener& listener_;
  core::Logger logger_;
  boost::asio::steady_timer wake_;       // the writer waits on it for frames
  boost::asio::steady_timer keepalive_;
  std::deque<std::vector<std::uint8_t>> queue_;
  std::size_t queued_bytes_ = 0;
  core::Clock::TimePoint last_received_{};
  core::Clock::TimePoint last_sent_{};
  core::Clock::TimePoint write_started_{};
  bool writing_ = false;
  bool closing_ = false;
  bool told_closed_ = false;
};

}  // namespace peerdrop::channel
