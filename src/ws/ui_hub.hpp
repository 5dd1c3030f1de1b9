#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "core/logging.hpp"
#include "ws/ws_config.hpp"
#include "ws/ws_session.hpp"

namespace peerdrop::ws {

// Knows every open UI tab. All tabs see the same pushes (the peer list and its
// changes, incoming requests); a message from a tab goes to the handler with
// the tab's id, so answers can go back to that tab alone. Text messages are
// JSON objects; binary messages carry file bytes and go to the binary handler.
class UiHub {
 public:
  using MessageHandler = std::function<void(std::uint64_t session, const boost::json::object& message)>;
  // A binary message (file bytes); the span is valid during the call only.
  using BinaryHandler = std::function<void(std::uint64_t session, std::span<const std::uint8_t> bytes)>;
  using Greeter = std::function<void(std::uint64_t session)>;

  UiHub(const WsConfig& config, core::Logger logger);

  void set_handler(MessageHandler handler) { handler_ = std::move(handler); }
  void set_binary_handler(BinaryHandler handler) { binary_handler_ = std::move(handler); }
  void set_greeter(Greeter greeter) { greeter_ = std::move(greeter); }
  void set_farewell(Greeter farewell) { farewell_ = std::move(farewell); }

  // Takes over an upgraded HTTP connection (the request was already checked).
  void accept(boost::asio::ip::tcp::socket socket, WsSession::UpgradeRequest request);
  void broadcast(const std::string& text);
  void broadcast_except(std::uint64_t session, const std::string& text);
  bool send_to(std::uint64_t session, const std::string& text);
  void stop();
  std::size_t size() const { return sessions_.size(); }

  // Called by sessions.
  void opened(std::uint64_t session);
  void received(std::uint64_t session, std::string_view text);
  void received_binary(std::uint64_t session, std::span<const std::uint8_t> bytes);
  void closed(std::uint64_t session);

 private:
  const WsConfig& config_;
  core::Logger logger_;
  std::map<std::uint64_t, std::shared_ptr<WsSession>> sessions_;
  std::uint64_t next_id_ = 1;
  MessageHandler handler_;
  BinaryHandler binary_handler_;
  Greeter greeter_;
  Greeter farewell_;
  bool stopped_ = false;
};

// {"type":"error","code":…,"error":…} (and "ref" when the UI gave one).
std::string ui_error(std::string_view code, std::string_view message, const boost::json::value* ref = nullptr);

}  // namespace peerdrop::ws
