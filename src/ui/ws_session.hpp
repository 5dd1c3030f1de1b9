#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "core/logging.hpp"
#include "ui/ws_config.hpp"

namespace peerdrop::ui {

class UiHub;

// One open UI tab: a WebSocket that lives as long as its I/O (it owns itself
// through shared_from_this). Reads are handed to the hub; writes go through a
// bounded queue, and a client that falls behind is disconnected, not
// buffered for without end.
class WsSession : public std::enable_shared_from_this<WsSession> {
 public:
  using UpgradeRequest = boost::beast::http::request<boost::beast::http::string_body>;

  WsSession(boost::asio::ip::tcp::socket socket, std::uint64_t id, UiHub& hub, const WsConfig& config,
            core::Logger logger);

  void start(UpgradeRequest request);
  // Queues a text frame; false (and the session closes) if the client is too slow.
  bool send(std::string text);
  void close();
  std::uint64_t id() const { return id_; }

 private:
  boost::asio::awaitable<void> run(UpgradeRequest request);
  boost::asio::awaitable<void> write_loop();

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  std::uint64_t id_;
  UiHub& hub_;
  const WsConfig& config_;
  core::Logger logger_;
  boost::asio::steady_timer wake_;
  std::deque<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  bool open_ = false;
  bool closing_ = false;
};

}  // namespace peerdrop::ui
