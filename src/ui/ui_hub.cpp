#include "ui/ui_hub.hpp"

#include "ui/ui_message_writer.hpp"

namespace peerdrop::ui {

UiHub::UiHub(const WsConfig& config, Events events, core::Logger logger)
    : config_(config), events_(std::move(events)), logger_(std::move(logger)) {}

void UiHub::accept(boost::asio::ip::tcp::socket socket, WsSession::UpgradeRequest request) {
  if (stopped_) return;
  if (sessions_.size() >= config_.max_sessions) {
    logger_->warn("refused a UI connection: {} are open already", sessions_.size());
    boost::system::error_code ignored;
    socket.close(ignored);
    return;
  }
  const auto id = next_id_++;
  auto session = std::make_shared<WsSession>(std::move(socket), id, *this, config_, logger_);
  sessions_.emplace(id, session);
  session->start(std::move(request));
}

void UiHub::opened(std::uint64_t session) {
  logger_->debug("UI connection {} opened ({} open)", session, sessions_.size());
  if (events_.opened) events_.opened(session);
}

void UiHub::received(std::uint64_t session, std::string_view text) {
  if (events_.text) events_.text(session, text);
}

void UiHub::received_binary(std::uint64_t session, std::span<const std::uint8_t> bytes) {
  if (events_.binary) {
    events_.binary(session, bytes);
  } else {
    send_to(session, serialize(ErrorMessage{.code = "bad_request", .error = "this daemon takes no binary messages"}));
  }
}

void UiHub::closed(std::uint64_t session) {
  if (!sessions_.erase(session)) return;
  logger_->debug("UI connection {} closed ({} open)", session, sessions_.size());
  if (events_.closed) events_.closed(session);
}

void UiHub::broadcast(const std::string& text) {
  broadcast_except(0, text);  // session ids start at 1
}

void UiHub::broadcast_except(std::uint64_t excluded, const std::string& text) {
  // A snapshot: sending may close (and so erase) a slow session.
  std::vector<std::shared_ptr<WsSession>> targets;
  targets.reserve(sessions_.size());
  for (const auto& [id, session] : sessions_) {
    if (id != excluded) targets.push_back(session);
  }
  for (const auto& session : targets) session->send(text);
}

bool UiHub::send_to(std::uint64_t session, const std::string& text) {
  const auto it = sessions_.find(session);
  return it != sessions_.end() && it->second->send(text);
}

void UiHub::stop() {
  stopped_ = true;
  auto sessions = sessions_;
  for (const auto& [id, session] : sessions) session->close();
}

}  // namespace peerdrop::ui
