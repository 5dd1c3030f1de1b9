#include "channel/daemon_channel.hpp"

#include <sodium.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "identity/peer_id.hpp"

namespace peerdrop::channel {

namespace asio = boost::asio;

namespace {
constexpr std::size_t kMaxBuffersPerWrite = 64;  // queued frames gathered into one write
}

DaemonChannel::DaemonChannel(Stream stream, Direction direction, std::string peer_id, asio::ip::tcp::endpoint remote,
                             std::uint64_t serial, const ChannelConfig& config, const core::Clock& clock,
                             Listener& listener, core::Logger logger)
    : stream_(std::move(stream)),
      direction_(direction),
      peer_id_(std::move(peer_id)),
      remote_(std::move(remote)),
      serial_(serial),
      config_(config),
      clock_(clock),
      listener_(listener),
      logger_(std::move(logger)),
      wake_(stream_.get_executor(), asio::steady_timer::time_point::max()),
      keepalive_(stream_.get_executor()) {}

void DaemonChannel::start() {
  last_received_ = last_sent_ = clock_.now();
  const auto done = [self = shared_from_this()](const char* what) {
    return [self, what](std::exception_ptr e) {
      core::log_exceptions(self->logger_, what)(e);
      self->close();
    };
  };
  asio::co_spawn(stream_.get_executor(), read_loop(), done("daemon channel reader"));
  asio::co_spawn(stream_.get_executor(), write_loop(), done("daemon channel writer"));
  asio::co_spawn(stream_.get_executor(), keepalive(), done("daemon channel keepalive"));
}

bool DaemonChannel::send(FrameType type, std::span<const std::uint8_t> payload) {
  const auto bytes = kFrameHeaderBytes + payload.size();
  if (closing_ || queued_bytes_ + bytes > config_.max_queued_bytes) return false;
  queue_.push_back(make_frame(type, payload));
  queued_bytes_ += bytes;
  wake_.cancel_one();
  return true;
}

void DaemonChannel::close() {
  if (!closing_) {
    closing_ = true;
    wake_.cancel();
    keepalive_.cancel();
    boost::system::error_code ignored;
    stream_.lowest_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream_.lowest_layer().close(ignored);
  }
  if (!told_closed_) {
    told_closed_ = true;
    listener_.closed(*this);
  }
}

asio::awaitable<void> DaemonChannel::read_loop() {
  std::array<std::uint8_t, kFrameHeaderBytes> header{};
  std::vector<std::uint8_t> payload;
  while (!closing_) {
    auto [header_ec, header_bytes] =
        co_await asio::async_read(stream_, asio::buffer(header), asio::as_tuple(asio::use_awaitable));
    if (header_ec) break;
    const auto parsed = parse_frame_header(header);
    if (!parsed) {
      logger_->warn("closed the channel with peer {}: a frame header is {}", identity::short_id(peer_id_),
                    parsed.error().message());
      break;
    }
    payload.resize(parsed->payload_bytes);
    auto [payload_ec, payload_bytes] =
        co_await asio::async_read(stream_, asio::buffer(payload), asio::as_tuple(asio::use_awaitable));
    if (payload_ec) break;
    last_received_ = clock_.now();
    if (closing_) break;
    if (parsed->type == FrameType::ping) {
      send(FrameType::pong, payload);
    } else if (is_known_type(parsed->type)) {
      listener_.frame(*this, parsed->type, payload);
    }
    // An unknown type is skipped: a later version may add frames.
  }
  close();
}

asio::awaitable<void> DaemonChannel::write_loop() {
  std::vector<asio::const_buffer> buffers;
  while (!closing_) {
    if (queue_.empty()) {
      co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    buffers.clear();
    std::size_t count = 0;
    for (const auto& frame : queue_) {
      if (count++ == kMaxBuffersPerWrite) break;
      buffers.emplace_back(asio::buffer(frame));
    }
    writing_ = true;
    write_started_ = clock_.now();
    auto [ec, written] = co_await asio::async_write(stream_, buffers, asio::as_tuple(asio::use_awaitable));
    writing_ = false;
    if (ec) break;
    last_sent_ = clock_.now();
    for (std::size_t i = 0; i < buffers.size(); ++i) {
      queued_bytes_ -= queue_.front().size();
      queue_.pop_front();
    }
  }
  close();
}

asio::awaitable<void> DaemonChannel::keepalive() {
  const auto tick = std::max(std::chrono::milliseconds(100), config_.ping_interval / 3);
  while (!closing_) {
    keepalive_.expires_after(tick);
    auto [ec] = co_await keepalive_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || closing_) break;
    const auto now = clock_.now();
    if (now - last_received_ > config_.idle_timeout) {
      logger_->info("closed the channel with peer {}: nothing heard for {} s", identity::short_id(peer_id_),
                    config_.idle_timeout.count() / 1000);
      break;
    }
    if (writing_ && now - write_started_ > config_.write_timeout) {
      logger_->info("closed the channel with peer {}: it takes nothing for {} s", identity::short_id(peer_id_),
                    config_.write_timeout.count() / 1000);
      break;
    }
    if (!writing_ && queue_.empty() && now - last_sent_ >= config_.ping_interval) {
      std::uint64_t nonce = 0;
      randombytes_buf(&nonce, sizeof nonce);
      send(FrameType::ping, u64_payload(nonce));
    }
  }
  close();
}

}  // namespace peerdrop::channel
