#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "core/logging.hpp"
#include "ui/ui_sender.hpp"
#include "ui/ws_config.hpp"
#include "ui/ws_session.hpp"

namespace peerdrop::ui {

// The UI tabs' WebSockets: knows every open tab, tells `events` when one
// opens, sends a message or closes (with the tab's id, so answers can go back
// to that tab alone), and sends to one tab or all. It reads no message: text
// messages go to `text` as they came, binary ones (file bytes) to `binary`.
class UiHub final : public UiSender {
 public:
  struct Events {
    std::function<void(Tab tab)> opened;
    std::function<void(Tab tab, std::string_view text)> text;
    // The span is valid during the call only.
    std::function<void(Tab tab, std::span<const std::uint8_t> bytes)> binary;
    std::function<void(Tab tab)> closed;
  };

  UiHub(const WsConfig& config, Events events, core::Logger logger);

  // Takes over an upgraded HTTP connection (the request was already checked).
  void accept(boost::asio::ip::tcp::socket socket, WsSession::UpgradeRequest request);
  // Closes every tab's WebSocket; a later connection is refused.
  void stop();

  // UiSender
  bool send_to(Tab tab, const std::string& text) override;
  void broadcast(const std::string& text) override;
  void broadcast_except(Tab tab, const std::string& text) override;
  std::size_t size() const override { return sessions_.size(); }

  // Called by sessions.
  void opened(std::uint64_t session);
  void received(std::uint64_t session, std::string_view text);
  void received_binary(std::uint64_t session, std::span<const std::uint8_t> bytes);
  void closed(std::uint64_t session);

 private:
  const WsConfig& config_;
  Events events_;
  core::Logger logger_;
  std::map<Tab, std::shared_ptr<WsSession>> sessions_;
  Tab next_id_ = 1;
  bool stopped_ = false;
};

}  // namespace peerdrop::ui
