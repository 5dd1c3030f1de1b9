#include "signaling/signaling_service.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/errc.hpp"
#include "identity/peer_id.hpp"
#include "signaling/envelope.hpp"

namespace peerdrop::signaling {

namespace asio = boost::asio;
using identity::short_id;

SignalingService::SignalingService(asio::any_io_executor executor, const SignalingConfig& config,
                                   const core::Clock& clock, const identity::Identity& identity,
                                   discovery::DiscoveryService& discovery, channel::PeerChannels& channels,
                                   Outbox& outbox, InboxState& inbox, Callbacks callbacks, core::Logger logger)
    : config_(config),
      clock_(clock),
      identity_(identity),
      discovery_(discovery),
      channels_(channels),
      outbox_(outbox),
      inbox_(inbox),
      callbacks_(std::move(callbacks)),
      logger_(std::move(logger)),
      executor_(executor),
      purge_timer_(executor) {
  // What a previous run queued may have been sent before it stopped: the
  // peer's acknowledgement of it, the first thing on the next channel, counts.
  for (const auto& peer : outbox_.recipients()) links_[peer].highest_sent = outbox_.last_sequence(peer);
}

void SignalingService::start() {
  asio::co_spawn(executor_, purger(), core::log_exceptions(logger_, "signaling purge"));
  // Messages that survived a restart leave as soon as their peers' channels are up.
  for (const auto& peer : outbox_.recipients()) discovery_.want_channel(peer);
}

void SignalingService::stop() {
  stopped_ = true;
  purge_timer_.cancel();
}

boost::system::result<OutboxEntry> SignalingService::send(const std::string& peer_id, std::string type,
                                                          std::string payload, std::chrono::milliseconds ttl,
                                                          std::uint64_t tag) {
  const auto peer = discovery_.find_peer(peer_id);
  if (!peer || !peer->verified) return core::make_error_code(core::Errc::unknown_peer);
  auto entry = outbox_.enqueue(peer_id, std::move(type), std::move(payload), ttl, tag);
  if (!entry) return entry;
  if (channels_.connected(peer_id)) {
    flush(peer_id);
  } else {
    discovery_.want_channel(peer_id);
  }
  return entry;
}

void SignalingService::channel_up(const std::string& peer_id) {
  auto& link = links_[peer_id];
  link.last_sent = 0;  // a new channel: what the old one carried may not have arrived
  // Our side of the sequence first, so the peer can let go of what we hold.
  channels_.send(peer_id, channel::FrameType::ack, channel::u64_payload(inbox_.last_delivered(peer_id)));
  flush(peer_id);
}

void SignalingService::channel_down(const std::string& peer_id) {
  if (outbox_.size(peer_id) > 0 && !stopped_) {
    logger_->info("the channel with peer {} closed; its {} message(s) wait for the next one", short_id(peer_id),
                  outbox_.size(peer_id));
  }
}

void SignalingService::flush(const std::string& peer_id) {
  if (stopped_ || !channels_.connected(peer_id)) return;
  const auto peer = discovery_.find_peer(peer_id);
  if (!peer) return;
  // An envelope whose floor steps over expired messages lets the peer skip
  // them, and its ack then covers them: they leave the outbox (reported
  // expired) first, so that ack cannot report them delivered.
  report_expired();
  auto& link = links_[peer_id];
  // Everything below the floor was acknowledged or expired.
  const auto floor = outbox_.floor(peer_id);
  for (;;) {
    const auto entries = outbox_.pending(peer_id, config_.max_batch_messages, config_.max_batch_bytes,
                                         link.last_sent + 1);
    std::vector<std::vector<std::uint8_t>> envelopes;
    envelopes.reserve(entries.size());
    auto last = link.last_sent;
    for (const auto& entry : entries) {
      // The receiver can deliver this one on arrival if its predecessor went
      // just before it on this channel, or if its floor is its own sequence.
      // Past a hole (an expired message below it, with live ones below that)
      // it would arrive as a gap: it waits until acknowledgements bring the
      // floor up to it (acknowledged() and tick() flush again).
      if (entry.sequence != last + 1 && entry.sequence != floor) break;
      Envelope e;
      e.recipient_key = peer->public_key;
      e.sequence = entry.sequence;
      e.floor = std::min(floor, entry.sequence);
      // A daemon's own message may wait longer than an envelope may live
      // (Outbox::Limits::max_daemon_ttl): it is signed afresh when it goes,
      // with what is left of its TTL, at most the envelope's 10 minutes.
      const bool outlives_envelope =
          is_daemon_type(entry.type) && entry.expires_ms - entry.created_ms > Envelope::kMaxTtlMs;
      const auto created = outlives_envelope ? std::max(clock_.unix_ms(), entry.created_ms) : entry.created_ms;
      e.created_ms = static_cast<std::uint64_t>(created);
      e.ttl_ms = static_cast<std::uint32_t>(std::clamp<std::int64_t>(entry.expires_ms - created, 1, Envelope::kMaxTtlMs));
      e.type = entry.type;
      e.payload = entry.payload;
      auto bytes = encode_envelope(e, identity_);
      if (!bytes) {
        // Not expected (it was checked when queued); it waits for its TTL like a hole.
        logger_->debug("cannot sign message {} for peer {}: {}", entry.sequence, short_id(peer_id),
                       bytes.error().message());
        break;
      }
      envelopes.push_back(std::move(*bytes));
      last = entry.sequence;
    }
    if (envelopes.empty()) return;
    // A full channel queue: the rest goes at the next tick.
    if (!channels_.send(peer_id, channel::FrameType::envelopes, frame_envelopes(envelopes))) return;
    link.last_sent = last;
    link.highest_sent = std::max(link.highest_sent, last);
    if (envelopes.size() < entries.size()) return;  // stopped at a hole
  }
}

void SignalingService::frame(const std::string& peer_id, channel::FrameType type,
                             std::span<const std::uint8_t> payload) {
  // Only peers the table holds are heard: identities it refused cannot grow our state.
  if (stopped_ || !discovery_.find_peer(peer_id)) return;
  if (type == channel::FrameType::envelopes) {
    receive(peer_id, payload);
  } else if (type == channel::FrameType::ack) {
    const auto up_to = channel::parse_u64_payload(payload);
    if (!up_to) {
      logger_->warn("ignored a malformed acknowledgement from peer {}", short_id(peer_id));
      return;
    }
    acknowledged(peer_id, *up_to);
  }
}

void SignalingService::acknowledged(const std::string& peer_id, std::uint64_t up_to) {
  if (up_to == 0) return;
  auto& link = links_[peer_id];
  if (up_to > link.highest_sent) {
    // An ack of what was never sent would delete messages nobody has: not believed.
    if (outbox_.size(peer_id) > 0) {
      logger_->warn("ignored an acknowledgement from peer {} of message {}, past the last one sent ({})",
                    short_id(peer_id), up_to, link.highest_sent);
    }
    return;
  }
  std::vector<std::uint64_t> tags;
  outbox_.acknowledge(peer_id, up_to, &tags);
  if (callbacks_.delivered) {
    for (const auto tag : tags) callbacks_.delivered(tag);
  }
  flush(peer_id);  // the floor may have risen past a hole
}

void SignalingService::receive(const std::string& peer_id, std::span<const std::uint8_t> body) {
  const auto frames = split_frames(body, config_.max_frames);
  if (!frames) {
    logger_->warn("refused messages from peer {}: {}", short_id(peer_id), frames.error().message());
    return;
  }
  const auto now = clock_.unix_ms();
  for (const auto frame : *frames) {
    // The sender must be the channel's peer: checked before the signature.
    auto envelope = decode_envelope(frame, peer_id);
    if (!envelope) {
      logger_->warn("refused a message on the channel with peer {}: {}", short_id(peer_id),
                    envelope.error().message());
      continue;
    }
    if (const auto checked = check_envelope(*envelope, identity_.public_key(), now); !checked) {
      logger_->warn("refused a message from peer {}: {}", short_id(peer_id), checked.error().message());
      continue;
    }
    const auto verdict = inbox_.judge(peer_id, envelope->sequence, envelope->floor);
    if (verdict == InboxVerdict::gap) break;  // the earlier ones come first; they will be sent again
    if (verdict == InboxVerdict::duplicate) continue;
    // Handed on before it counts as delivered: a daemon that dies in between
    // gets it again, and a daemon's own handler (messages) keeps one copy per id.
    const auto& handler = is_daemon_type(envelope->type) ? callbacks_.daemon_message : callbacks_.deliver;
    const auto sequence = envelope->sequence;
    if (handler) handler(IncomingSignal{peer_id, std::move(envelope->type), std::move(envelope->payload), sequence});
    inbox_.delivered(peer_id, sequence);
  }
  channels_.send(peer_id, channel::FrameType::ack, channel::u64_payload(inbox_.last_delivered(peer_id)));
}

asio::awaitable<void> SignalingService::purger() {
  while (!stopped_) {
    purge_timer_.expires_after(config_.purge_interval);
    auto [ec] = co_await purge_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || stopped_) co_return;
    tick();
  }
}

void SignalingService::tick() {
  if (stopped_) return;
  report_expired();
  // What a full channel queue or a hole held back goes now.
  for (const auto& peer : outbox_.recipients()) flush(peer);
}

void SignalingService::report_expired() {
  for (const auto& entry : outbox_.purge_expired()) {
    // No UI waits for a daemon's own message; its sender does if it gave a tag.
    const bool daemon_message = is_daemon_type(entry.type);
    logger_->log(daemon_message ? spdlog::level::debug : spdlog::level::info,
                 "a \"{}\" message for peer {} expired undelivered after {} s", entry.type,
                 short_id(entry.recipient), (entry.expires_ms - entry.created_ms) / 1000);
    if (callbacks_.expired && (!daemon_message || entry.client_tag != 0)) {
      callbacks_.expired(entry.client_tag, entry.recipient);
    }
  }
}

}  // namespace peerdrop::signaling
