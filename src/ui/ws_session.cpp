#include "ui/ws_session.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <span>
#include <string_view>

#include "ui/ui_hub.hpp"

namespace peerdrop::ui {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

WsSession::WsSession(asio::ip::tcp::socket socket, std::uint64_t id, UiHub& hub, const WsConfig& config,
                     core::Logger logger)
    : ws_(std::move(socket)),
      id_(id),
      hub_(hub),
      config_(config),
      logger_(std::move(logger)),
      wake_(ws_.get_executor(), asio::steady_timer::time_point::max()) {}

void WsSession::start(UpgradeRequest request) {
  asio::co_spawn(ws_.get_executor(), run(std::move(request)), core::log_exceptions(logger_, "UI connection"));
}

bool WsSession::send(std::string text) {
  if (closing_) return false;
  if (queue_.size() >= config_.max_queued_messages || queued_bytes_ + text.size() > config_.max_queued_bytes) {
    logger_->warn("UI connection {} is not reading its messages; disconnecting it", id_);
    close();
    return false;
  }
  queued_bytes_ += text.size();
  queue_.push_back(std::move(text));
  wake_.cancel_one();
  return true;
}

void WsSession::close() {
  if (closing_) return;
  closing_ = true;
  wake_.cancel();
  boost::system::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
}

asio::awaitable<void> WsSession::run(UpgradeRequest request) {
  auto self = shared_from_this();  // alive as long as this coroutine runs
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws_.read_message_max(std::max(config_.max_frame_bytes, config_.max_binary_frame_bytes));
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& response) { response.set(beast::http::field::server, "peerdropd"); }));
  auto [accept_ec] = co_await ws_.async_accept(request, asio::as_tuple(asio::use_awaitable));
  if (accept_ec || closing_) {
    hub_.closed(id_);
    co_return;
  }
  ws_.text(true);
  open_ = true;
  asio::co_spawn(ws_.get_executor(), write_loop(), core::log_exceptions(logger_, "UI connection writer"));
  hub_.opened(id_);

  beast::flat_buffer buffer;
  while (!closing_) {
    auto [ec, n] = co_await ws_.async_read(buffer, asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (ec == websocket::error::message_too_big) {
        logger_->warn("UI connection {} sent a message over {} bytes; closed", id_,
                      std::max(config_.max_frame_bytes, config_.max_binary_frame_bytes));
      }
      break;
    }
    const auto size = buffer.size();
    const auto limit = ws_.got_text() ? config_.max_frame_bytes : config_.max_binary_frame_bytes;
    if (size > limit) {
      logger_->warn("UI connection {} sent a {} message over {} bytes; closed", id_, ws_.got_text() ? "text" : "binary",
                    limit);
      break;
    }
    const auto* data = static_cast<const char*>(buffer.data().data());
    if (ws_.got_text()) {
      hub_.received(id_, std::string_view(data, size));
    } else {
      hub_.received_binary(id_, std::span(reinterpret_cast<const std::uint8_t*>(data), size));
    }
    buffer.consume(buffer.size());  // keeps its capacity: the next frame reuses it
  }
  close();
  hub_.closed(id_);
}

asio::awaitable<void> WsSession::write_loop() {
  auto self = shared_from_this();
  while (!closing_) {
    if (queue_.empty()) {
      co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    auto [ec, n] = co_await ws_.async_write(asio::buffer(queue_.front()), asio::as_tuple(asio::use_awaitable));
    if (ec) {
      close();
      co_return;
    }
    queued_bytes_ -= queue_.front().size();
    queue_.pop_front();
  }
}

}  // namespace peerdrop::ui
