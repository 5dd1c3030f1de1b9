#include "ws/ui_hub.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace peerdrop::ws {

UiHub::UiHub(const WsConfig& config, core::Logger logger) : config_(config), logger_(std::move(logger)) {}

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
  if (greeter_) greeter_(session);
}

void UiHub::received(std::uint64_t session, std::string_view text) {
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = 32;
  const auto message = boost::json::parse(text, ec, {}, options);
  if (ec || !message.is_object() || !message.get_object().contains("type") ||
      !message.get_object().at("type").is_string()) {
    send_to(session, ui_error("bad_request", "every message must be a JSON object with a \"type\""));
    return;
  }
  if (handler_) handler_(session, message.get_object());
}

void UiHub::received_binary(std::uint64_t session, std::span<const std::uint8_t> bytes) {
  if (binary_handler_) {
    binary_handler_(session, bytes);
  } else {
    send_to(session, ui_error("bad_request", "this daemon takes no binary messages"));
  }
}

void UiHub::closed(std::uint64_t session) {
  if (!sessions_.erase(session)) return;
  logger_->debug("UI connection {} closed ({} open)", session, sessions_.size());
  if (farewell_) farewell_(session);
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

std::string ui_error(std::string_view code, std::string_view message, const boost::json::value* ref) {
  boost::json::object error{{"type", "error"}, {"code", code}, {"error", message}};
  if (ref) error["ref"] = *ref;
  return boost::json::serialize(error);
}

}  // namespace peerdrop::ws
