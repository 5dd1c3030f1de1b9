#include "signaling/signaling_service.hpp"

#include <sodium.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/base64.hpp"
#include "core/errc.hpp"
#include "discovery/peer_endpoints.hpp"
#include "identity/peer_id.hpp"
#include "signaling/envelope.hpp"

namespace peerdrop::signaling {

namespace asio = boost::asio;
using asio::ip::tcp;
using identity::short_id;

SignalingService::SignalingService(asio::any_io_executor executor, const SignalingConfig& config,
                                   const core::Clock& clock, discovery::AnnouncementSigner& signer,
                                   discovery::DiscoveryService& discovery, Outbox& outbox, InboxState& inbox,
                                   Callbacks callbacks, core::Logger logger)
    : executor_(executor),
      config_(config),
      clock_(clock),
      signer_(signer),
      discovery_(discovery),
      outbox_(outbox),
      inbox_(inbox),
      logger_(std::move(logger)),
      client_(executor, signer, config.max_request_bytes),
      purge_timer_(executor),
      callbacks_(std::move(callbacks)) {}

void SignalingService::start() {
  asio::co_spawn(executor_, purger(), core::log_exceptions(logger_, "signaling purge"));
  // Messages that survived a restart leave again.
  for (const auto& peer : outbox_.recipients()) start_sender(peer);
}

void SignalingService::stop() {
  stopped_ = true;
  client_.stop();
  purge_timer_.cancel();
  for (auto& [id, l] : links_) {
    l.wake->cancel();
    l.held->cancel();
  }
}

SignalingService::Link& SignalingService::link(const std::string& peer_id) {
  auto it = links_.find(peer_id);
  if (it == links_.end()) {
    it = links_.emplace(peer_id, Link{}).first;
    it->second.wake = std::make_unique<asio::steady_timer>(executor_);
    it->second.held = std::make_unique<asio::steady_timer>(executor_);
  }
  return it->second;
}

boost::system::result<OutboxEntry> SignalingService::send(const std::string& peer_id, std::string type,
                                                          std::string payload, std::chrono::milliseconds ttl,
                                                          std::uint64_t tag) {
  if (!discovery_.find_peer(peer_id)) return core::make_error_code(core::Errc::unknown_peer);
  auto entry = outbox_.enqueue(peer_id, std::move(type), std::move(payload), ttl, tag);
  if (!entry) return entry;
  auto& l = link(peer_id);
  l.held->cancel();  // a held long-poll answers at once with it
  l.wake->cancel();
  start_sender(peer_id);
  return entry;
}

void SignalingService::keep_polling(const std::string& peer_id) { want_poll(peer_id); }

void SignalingService::peer_is_waiting(const std::string& peer_id) { want_poll(peer_id); }

bool SignalingService::waiting_for(const std::string& peer_id) const { return outbox_.size(peer_id) > 0; }

void SignalingService::want_poll(const std::string& peer_id) {
  if (stopped_) return;
  auto& l = link(peer_id);
  l.poll_until = std::max(l.poll_until, clock_.now() + config_.poll_grace);
  start_poller(peer_id);
}

void SignalingService::start_sender(const std::string& peer_id) {
  auto& l = link(peer_id);
  if (l.sending || stopped_) return;
  l.sending = true;
  asio::co_spawn(executor_, sender(peer_id), [this, peer_id](std::exception_ptr e) {
    link(peer_id).sending = false;
    core::log_exceptions(logger_, "signaling sender")(e);
  });
}

void SignalingService::start_poller(const std::string& peer_id) {
  auto& l = link(peer_id);
  if (l.polling || stopped_) return;
  l.polling = true;
  logger_->info("fetching messages from peer {} with a long-poll (it cannot reach us directly)", short_id(peer_id));
  asio::co_spawn(executor_, poller(peer_id), [this, peer_id](std::exception_ptr e) {
    link(peer_id).polling = false;
    core::log_exceptions(logger_, "signaling poller")(e);
  });
}

std::chrono::milliseconds SignalingService::jittered(std::chrono::milliseconds base) const {
  const auto spread = std::max<std::int64_t>(1, base.count() / 2);
  return std::chrono::milliseconds(base.count() - base.count() / 4 +
                                   randombytes_uniform(static_cast<std::uint32_t>(spread)));
}

std::vector<std::uint8_t> SignalingService::outgoing_frames(const discovery::PeerInfo& peer) {
  const auto& l = link(peer.id);
  std::vector<std::vector<std::uint8_t>> envelopes;
  const auto floor = outbox_.floor(peer.id);
  for (const auto& entry : outbox_.pending(peer.id, config_.max_batch_messages, config_.max_batch_bytes)) {
    Envelope e;
    e.flags = l.push_failing ? Envelope::kFlagCannotReachYou : 0;
    e.sender_key = signer_.identity().public_key();
    e.sender_id = signer_.identity().peer_id();
    e.recipient_key = peer.public_key;
    e.sequence = entry.sequence;
    e.floor = std::min(floor, entry.sequence);
    e.created_ms = static_cast<std::uint64_t>(entry.created_ms);
    e.ttl_ms = static_cast<std::uint32_t>(std::clamp<std::int64_t>(entry.expires_ms - entry.created_ms, 1, Envelope::kMaxTtlMs));
    e.type = entry.type;
    e.payload = entry.payload;
    auto bytes = encode_envelope(e, signer_.identity());
    if (bytes) envelopes.push_back(std::move(*bytes));
  }
  if (envelopes.empty()) return {};
  return frame_envelopes(envelopes);
}

void SignalingService::acknowledged(const std::string& peer_id, std::uint64_t up_to) {
  if (up_to == 0) return;
  std::vector<std::uint64_t> tags;
  outbox_.acknowledge(peer_id, up_to, &tags);
  if (callbacks_.delivered) {
    for (const auto tag : tags) callbacks_.delivered(tag);
  }
}

bool SignalingService::receive(std::span<const std::uint8_t> body, const std::string& from) {
  if (body.empty()) return true;
  const auto frames = split_frames(body, config_.max_frames);
  if (!frames) {
    logger_->debug("malformed signal body from {}: {}", short_id(from), frames.error().message());
    return false;
  }
  const auto now = clock_.unix_ms();
  for (const auto frame : *frames) {
    auto envelope = decode_envelope(frame);
    if (!envelope) {
      logger_->warn("refused a message from peer {}: {}", short_id(from), envelope.error().message());
      continue;
    }
    if (const auto checked = check_envelope(*envelope, signer_.identity().public_key(), now); !checked) {
      if (checked.error() == core::Errc::key_changed) {
        logger_->error("refused messages claiming to be from peer {}: they are signed by another key (a reinstall, "
                       "or someone impersonating it)",
                       short_id(envelope->sender_id));
        if (callbacks_.key_changed) callbacks_.key_changed(envelope->sender_id);
      } else {
        logger_->warn("refused a message from peer {}: {}", short_id(from), checked.error().message());
      }
      continue;
    }
    if (envelope->sender_id != from) {
      logger_->warn("refused a message relayed by {} for {}: only direct messages are accepted", short_id(from),
                    short_id(envelope->sender_id));
      continue;
    }
    if (envelope->cannot_reach_you()) want_poll(from);
    const auto verdict = inbox_.judge(from, envelope->sequence, envelope->floor);
    if (verdict == InboxVerdict::gap) break;  // the earlier ones come first; they will be resent
    if (verdict == InboxVerdict::duplicate) continue;
    inbox_.delivered(from, envelope->sequence);
    const auto& handler = is_daemon_type(envelope->type) ? callbacks_.daemon_message : callbacks_.deliver;
    if (handler) {
      handler(IncomingSignal{from, std::move(envelope->type), std::move(envelope->payload), envelope->sequence});
    }
  }
  return true;
}

void SignalingService::handle_response(const std::string& peer_id, const ExchangeResponse& response) {
  acknowledged(peer_id, response.ack);
  receive(response.body, peer_id);
  if (response.cannot_reach_you) want_poll(peer_id);
}

asio::awaitable<void> SignalingService::sender(std::string peer_id) {
  auto backoff = config_.backoff_initial;
  while (!stopped_) {
    const auto peer = discovery_.find_peer(peer_id);
    if (!peer || outbox_.pending(peer_id, 1, SIZE_MAX).empty()) break;
    auto& l = link(peer_id);
    if (l.held_polls > 0) {
      // The peer is waiting on a long-poll: that answer carries the messages.
      l.held->cancel();
      l.wake->expires_after(config_.push_timeout);
      co_await l.wake->async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    const ExchangeRequest request{.body = outgoing_frames(*peer),
                                  .ack = inbox_.last_delivered(peer_id),
                                  .poll = false,
                                  .cannot_reach_you = false,
                                  .timeout = config_.push_timeout};
    const auto response = co_await exchange_with(*peer, request);
    if (stopped_) co_return;
    auto& after = link(peer_id);
    if (response) {
      handle_response(peer_id, *response);
      if (after.push_failing) logger_->info("peer {} is reachable again", short_id(peer_id));
      after.push_failing = false;
      backoff = config_.backoff_initial;
      continue;
    }
    // Rate-limited means it answered: the path works, it only wants us slower.
    if (response.error() != core::Errc::rate_limited) {
      if (!after.push_failing) {
        logger_->info("cannot reach peer {} (\"{}\"); its messages wait until it fetches them", short_id(peer_id),
                      peer->name);
      }
      after.push_failing = true;
      discovery_.nudge(peer_id);
    }
    after.wake->expires_after(jittered(backoff));
    co_await after.wake->async_wait(asio::as_tuple(asio::use_awaitable));
    backoff = std::min(backoff * 2, config_.backoff_max);
  }
}

asio::awaitable<boost::system::result<ExchangeResponse>> SignalingService::exchange_with(
    const discovery::PeerInfo& peer, const ExchangeRequest& request) {
  boost::system::result<ExchangeResponse> last = core::make_error_code(core::Errc::unknown_peer);
  for (const auto& endpoint : discovery::tcp_endpoints(peer)) {
    last = co_await client_.exchange(endpoint, request);
    if (last || last.error() == core::Errc::rate_limited || stopped_) co_return last;
    logger_->debug("exchange with peer {} at {} failed: {}", short_id(peer.id), endpoint.address().to_string(),
                   last.error().message());
  }
  co_return last;
}

asio::awaitable<void> SignalingService::poller(std::string peer_id) {
  auto backoff = config_.backoff_initial;
  asio::steady_timer pause(executor_);
  while (!stopped_ && clock_.now() < link(peer_id).poll_until) {
    const auto peer = discovery_.find_peer(peer_id);
    if (!peer) break;
    const ExchangeRequest request{.body = outgoing_frames(*peer),
                                  .ack = inbox_.last_delivered(peer_id),
                                  .poll = true,
                                  .cannot_reach_you = link(peer_id).push_failing,
                                  .timeout = config_.poll_hold + config_.push_timeout};
    const auto response = co_await exchange_with(*peer, request);
    if (stopped_) co_return;
    if (response) {
      handle_response(peer_id, *response);
      backoff = config_.backoff_initial;
      continue;
    }
    pause.expires_after(jittered(backoff));
    co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    backoff = std::min(backoff * 2, config_.backoff_max);
  }
}

asio::awaitable<void> SignalingService::purger() {
  while (!stopped_) {
    purge_timer_.expires_after(config_.purge_interval);
    auto [ec] = co_await purge_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || stopped_) co_return;
    for (const auto& entry : outbox_.purge_expired()) {
      const bool daemon_message = is_daemon_type(entry.type);  // no UI waits for it
      logger_->log(daemon_message ? spdlog::level::debug : spdlog::level::info,
                   "a \"{}\" message for peer {} expired undelivered after {} s", entry.type,
                   short_id(entry.recipient), (entry.expires_ms - entry.created_ms) / 1000);
      if (callbacks_.expired && !daemon_message) callbacks_.expired(entry.client_tag, entry.recipient);
    }
  }
}

asio::awaitable<SignalExchangeReply> SignalingService::exchange(const SignalExchangeRequest& request) {
  using discovery::AnnouncementKind;
  using Refusal = SignalExchangeReply::Refusal;
  // Who is asking: a signed probe packet, fresh for this channel.
  const auto hello_bytes = core::base64_decode(request.hello, discovery::Announcement::kMaxPacketSize);
  const auto hello = hello_bytes ? discovery::decode_announcement(*hello_bytes)
                                 : boost::system::result<discovery::Announcement>(core::make_error_code(core::Errc::malformed));
  if (!hello || hello->kind != AnnouncementKind::probe) {
    co_return SignalExchangeReply{.refusal = Refusal::bad_request,
                                  .message = "a signal exchange needs a valid X-PeerDrop-Hello"};
  }
  const auto peer_id = identity::derive_peer_id(hello->public_key);
  discovery_.hello(*hello, request.client_ip);
  // Only peers the table holds get a link: forged identities cannot grow our state past its cap.
  if (!discovery_.find_peer(peer_id)) {
    co_return SignalExchangeReply{.refusal = Refusal::busy,
                                  .message = "this daemon knows too many peers to take messages from a new one"};
  }
  {
    auto& l = link(peer_id);
    if (hello->instance == l.hello_instance && hello->counter <= l.hello_counter) {
      co_return SignalExchangeReply{.refusal = Refusal::replayed, .message = "this request was seen before"};
    }
    l.hello_instance = hello->instance;
    l.hello_counter = hello->counter;
  }

  acknowledged(peer_id, request.ack);
  if (request.cannot_reach_you) want_poll(peer_id);
  if (!receive(std::span(reinterpret_cast<const std::uint8_t*>(request.body.data()), request.body.size()), peer_id)) {
    co_return SignalExchangeReply{.refusal = Refusal::bad_request, .message = "the signal body is malformed"};
  }

  if (request.poll && !waiting_for(peer_id) && !stopped_) {
    auto& l = link(peer_id);
    ++l.held_polls;
    l.held->expires_after(config_.poll_hold);
    co_await l.held->async_wait(asio::as_tuple(asio::use_awaitable));
    --link(peer_id).held_polls;
  }

  SignalExchangeReply reply{.ack = inbox_.last_delivered(peer_id), .cannot_reach_you = link(peer_id).push_failing};
  if (const auto peer = discovery_.find_peer(peer_id)) reply.body = outgoing_frames(*peer);
  co_return reply;
}

}  // namespace peerdrop::signaling
