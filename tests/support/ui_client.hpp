#pragma once

#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "support/daemon_process.hpp"

namespace peerdrop::testing {

// A blocking UI client on a daemon's /ws, as a browser tab would be.
class UiClient {
 public:
  explicit UiClient(const DaemonEndpoint& daemon) : ws_(io_) {
    const auto port = daemon.port;
    ws_.next_layer().connect({boost::asio::ip::address_v4::loopback(), port});
    timeval timeout{5, 0};
    ::setsockopt(ws_.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    const auto host = "127.0.0.1:" + std::to_string(port);
    ws_.set_option(boost::beast::websocket::stream_base::decorator([host](boost::beast::websocket::request_type& r) {
      r.set(boost::beast::http::field::origin, "http://" + host);
    }));
    ws_.handshake(host, daemon.token.empty() ? "/ws" : "/ws?token=" + daemon.token);
  }
  void send(const boost::json::object& message) {
    ws_.text(true);
    ws_.write(boost::asio::buffer(boost::json::serialize(message)));
  }
  // A binary message (file bytes, docs/protocol.md "File transfer"); false if the daemon closed the connection.
  bool send_binary(std::span<const std::uint8_t> bytes) {
    ws_.binary(true);
    boost::system::error_code ec;
    ws_.write(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    return !ec;
  }
  // Whether the daemon closed the connection (reads until it does, or times out).
  bool closed_by_daemon() {
    for (;;) {
      boost::beast::flat_buffer buffer;
      boost::system::error_code ec;
      ws_.read(buffer, ec);
      if (ec) return ec != boost::asio::error::would_block && ec != boost::asio::error::try_again;
    }
  }
  // The next message, whatever its type; empty on timeout.
  boost::json::object next_any() {
    boost::beast::flat_buffer buffer;
    boost::system::error_code ec;
    ws_.read(buffer, ec);
    if (ec) return {};
    return boost::json::parse(boost::beast::buffers_to_string(buffer.data())).as_object();
  }
  // The next message of `type` (others are kept in `seen`); empty on timeout.
  boost::json::object next(std::string_view type) {
    for (;;) {
      boost::beast::flat_buffer buffer;
      boost::system::error_code ec;
      ws_.read(buffer, ec);
      if (ec) return {};
      auto message = boost::json::parse(boost::beast::buffers_to_string(buffer.data())).as_object();
      if (message.at("type").as_string() == type) return message;
      seen.push_back(std::move(message));
    }
  }
  std::vector<boost::json::object> seen;

 private:
  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
};

}  // namespace peerdrop::testing
