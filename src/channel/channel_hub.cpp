#include "channel/channel_hub.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/ssl/error.hpp>
#include <openssl/ssl.h>

#include "core/errc.hpp"
#include "identity/peer_id.hpp"

namespace peerdrop::channel {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::ip::tcp;
using identity::short_id;

namespace {

// Closes `socket` if the handshake is not over when the timer fires.
class HandshakeDeadline {
 public:
  HandshakeDeadline(asio::any_io_executor executor, tcp::socket& socket, std::chrono::milliseconds timeout)
      : state_(std::make_shared<State>(State{asio::steady_timer(executor, timeout), &socket})) {
    state_->timer.async_wait([state = state_](const boost::system::error_code& ec) {
      if (ec || !state->socket) return;  // over in time (a wake-up already queued finds no socket)
      boost::system::error_code ignored;
      state->socket->close(ignored);
    });
  }
  HandshakeDeadline(const HandshakeDeadline&) = delete;
  HandshakeDeadline& operator=(const HandshakeDeadline&) = delete;
  ~HandshakeDeadline() {
    state_->socket = nullptr;
    state_->timer.cancel();
  }

 private:
  struct State {
    asio::steady_timer timer;
    tcp::socket* socket;
  };
  std::shared_ptr<State> state_;
};

// The id the other side's certificate proved (checked by the verify callback during the handshake).
std::optional<std::string> proven_id(DaemonChannel::Stream& stream, const core::Clock& clock) {
  X509* certificate = SSL_get0_peer_certificate(stream.native_handle());
  auto id = peer_id_of(certificate, clock.unix_ms() / 1000);
  if (!id) return std::nullopt;
  return std::move(*id);
}

}  // namespace

ChannelHub::ChannelHub(asio::any_io_executor executor, const identity::Identity& identity, const core::Clock& clock,
                       const ChannelConfig& config, Events events, core::Logger logger)
    : executor_(std::move(executor)),
      identity_(identity),
      clock_(clock),
      config_(config),
      events_(std::move(events)),
      logger_(std::move(logger)),
      certificate_(IdentityCertificate::create(identity, clock.unix_ms() / 1000)),
      tls_(certificate_, clock) {}

void ChannelHub::accept(tcp::socket socket, std::vector<std::uint8_t> already_read) {
  boost::system::error_code ec;
  const auto ip = socket.remote_endpoint(ec).address().to_string();
  auto& under_way = handshakes_[ip];
  if (stopped_ || ec || channels_.size() >= config_.max_channels || under_way >= config_.max_handshakes_per_address) {
    if (!stopped_ && !ec) logger_->debug("refused a channel from {}: too many channels or handshakes", ip);
    if (under_way == 0) handshakes_.erase(ip);
    socket.close(ec);
    return;
  }
  ++under_way;
  asio::co_spawn(executor_, handshake_inbound(std::move(socket), std::move(already_read), ip),
                 core::log_exceptions(logger_, "channel handshake"));
}

asio::awaitable<void> ChannelHub::handshake_inbound(tcp::socket socket, std::vector<std::uint8_t> already_read,
                                                    std::string ip) {
  DaemonChannel::Stream stream(std::move(socket), tls_.server());
  stream.set_verify_callback(tls_.verifier(""));
  boost::system::error_code ec;
  const auto remote = stream.lowest_layer().remote_endpoint(ec);
  {
    pending_.insert(&stream.next_layer());
    HandshakeDeadline deadline(executor_, stream.next_layer(), config_.handshake_timeout);
    auto [handshake_ec, used] = co_await stream.async_handshake(ssl::stream_base::server, asio::buffer(already_read),
                                                                asio::as_tuple(asio::use_awaitable));
    pending_.erase(&stream.next_layer());
    ec = handshake_ec;
  }
  if (auto it = handshakes_.find(ip); it != handshakes_.end() && --it->second == 0) handshakes_.erase(it);
  // TlsContexts refused a ClientHello without ALPN peerdrop/2 during the handshake; checked again all the same.
  if (!ec && !TlsContexts::agreed_on_alpn(stream.native_handle())) {
    ec = core::make_error_code(core::Errc::unsupported_version);
  }
  const auto id = ec ? std::nullopt : proven_id(stream, clock_);
  if (!id || stopped_) {
    logger_->debug("refused a channel from {}: {}", ip, ec ? ec.message() : "no valid identity certificate");
    co_return;
  }
  established(std::move(stream), DaemonChannel::Direction::inbound, *id, remote);
}

asio::awaitable<boost::system::error_code> ChannelHub::connect(tcp::endpoint endpoint, std::string expected_id) {
  if (stopped_) co_return asio::error::operation_aborted;
  if (channels_.size() >= config_.max_channels) co_return core::make_error_code(core::Errc::table_full);
  DaemonChannel::Stream stream(tcp::socket(executor_), tls_.client());
  stream.set_verify_callback(tls_.verifier(expected_id));
  boost::system::error_code ec;
  {
    pending_.insert(&stream.next_layer());
    HandshakeDeadline deadline(executor_, stream.next_layer(), config_.handshake_timeout);
    auto [connect_ec] = co_await stream.next_layer().async_connect(endpoint, asio::as_tuple(asio::use_awaitable));
    ec = connect_ec;
    if (!ec) {
      stream.next_layer().set_option(tcp::no_delay(true), ec);
      auto [handshake_ec] =
          co_await stream.async_handshake(ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
      ec = handshake_ec;
    }
    pending_.erase(&stream.next_layer());
  }
  if (stopped_) co_return asio::error::operation_aborted;
  if (ec) {
    // A certificate that is not the expected peer's fails the handshake's verification.
    if (ec.category() == asio::error::get_ssl_category()) {
      co_return core::make_error_code(core::Errc::identity_mismatch);
    }
    co_return ec == asio::error::operation_aborted ? core::make_error_code(core::Errc::timeout) : ec;
  }
  // A server that chose no protocol (or another) does not speak version 2: its connection is not used.
  if (!TlsContexts::agreed_on_alpn(stream.native_handle())) {
    co_return core::make_error_code(core::Errc::unsupported_version);
  }
  const auto id = proven_id(stream, clock_);
  if (!id || *id != expected_id) co_return core::make_error_code(core::Errc::identity_mismatch);
  established(std::move(stream), DaemonChannel::Direction::outbound, *id, endpoint);
  co_return boost::system::error_code();
}

void ChannelHub::established(DaemonChannel::Stream stream, DaemonChannel::Direction direction, std::string peer_id,
                             tcp::endpoint remote) {
  boost::system::error_code ignored;
  stream.lowest_layer().set_option(tcp::no_delay(true), ignored);
  auto channel = std::make_shared<DaemonChannel>(std::move(stream), direction, peer_id, remote, next_serial_++,
                                                 config_, clock_, *this, logger_);
  channels_.emplace(channel->serial(), channel);
  channel->start();
  logger_->debug("channel {} with peer {} is up ({} {})", channel->serial(), short_id(peer_id),
                 direction == DaemonChannel::Direction::inbound ? "from" : "to", remote.address().to_string());
  const auto current = active_.find(peer_id);
  if (current != active_.end() && !preferred(*channel, *current->second)) {
    channel->close();  // the peer keeps the other one too
    return;
  }
  std::shared_ptr<DaemonChannel> replaced;
  if (current != active_.end()) replaced = std::exchange(current->second, channel);
  else active_.emplace(peer_id, channel);
  if (events_.up) events_.up(peer_id, *channel);
  if (replaced) replaced->close();
}

bool ChannelHub::preferred(const DaemonChannel& candidate, const DaemonChannel& current) const {
  const auto& own = identity_.peer_id();
  const auto opener = [&](const DaemonChannel& c) {
    return c.direction() == DaemonChannel::Direction::outbound ? own : c.peer_id();
  };
  const auto a = opener(candidate);
  const auto b = opener(current);
  if (a != b) return a < b;
  return false;  // both opened by the same daemon: the older one stays
}

bool ChannelHub::send(const std::string& peer, FrameType type, std::span<const std::uint8_t> payload) {
  const auto it = active_.find(peer);
  return it != active_.end() && it->second->send(type, payload);
}

std::size_t ChannelHub::queued_bytes(const std::string& peer) const {
  const auto it = active_.find(peer);
  return it == active_.end() ? 0 : it->second->queued_bytes();
}

const DaemonChannel* ChannelHub::active(const std::string& peer) const {
  const auto it = active_.find(peer);
  return it == active_.end() ? nullptr : it->second.get();
}

std::optional<tcp::endpoint> ChannelHub::remote_of(const std::string& peer) const {
  const auto it = active_.find(peer);
  if (it == active_.end()) return std::nullopt;
  return it->second->remote();
}

std::vector<std::string> ChannelHub::connected_peers() const {
  std::vector<std::string> out;
  out.reserve(active_.size());
  for (const auto& [id, channel] : active_) out.push_back(id);
  return out;
}

void ChannelHub::frame(DaemonChannel& channel, FrameType type, std::span<const std::uint8_t> payload) {
  const auto it = active_.find(channel.peer_id());
  // A channel that lost to another carries nothing more: its frames are not the peer's current word.
  if (it == active_.end() || it->second.get() != &channel) return;
  if (events_.frame) events_.frame(channel.peer_id(), type, payload);
}

void ChannelHub::closed(DaemonChannel& channel) {
  const auto keep = channels_.find(channel.serial());  // alive until this returns
  std::shared_ptr<DaemonChannel> self;
  if (keep != channels_.end()) {
    self = keep->second;
    channels_.erase(keep);
  }
  const auto it = active_.find(channel.peer_id());
  if (it == active_.end() || it->second.get() != &channel) return;
  active_.erase(it);
  logger_->debug("channel {} with peer {} closed", channel.serial(), short_id(channel.peer_id()));
  if (events_.down) events_.down(channel.peer_id());
}

void ChannelHub::stop() {
  stopped_ = true;
  for (auto* socket : std::set(pending_)) {
    boost::system::error_code ignored;
    socket->close(ignored);
  }
  auto channels = channels_;
  for (const auto& [serial, channel] : channels) channel->close();
}

}  // namespace peerdrop::channel
