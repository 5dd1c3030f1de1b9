#include "messages/message_service.hpp"

#include "core/errc.hpp"
#include "identity/peer_id.hpp"
#include "messages/message_id.hpp"
#include "messages/message_payload.hpp"
#include "messages/message_text.hpp"

namespace peerdrop::messages {

namespace {

// A handed message whose expiry signaling did not report this long after it
// (its outbox lost it) expires here.
constexpr std::int64_t kHandedGraceMs = 60'000;

}  // namespace

using identity::short_id;

MessageService::MessageService(const MessagesConfig& config, const core::Clock& clock, core::Alarm& alarm,
                               MessageStore& store, Hooks hooks, core::Logger logger)
    : config_(config), clock_(clock), alarm_(alarm), store_(store), hooks_(std::move(hooks)), logger_(std::move(logger)) {}

void MessageService::start() {
  stopped_ = false;
  // An outbox entry leaves only when the peer acknowledges it or it expires
  // (reported). A handed message whose entry is gone, unexpired, was
  // delivered: this daemon stopped between the acknowledgement and noting it.
  if (hooks_.in_outbox) {
    const auto now = clock_.unix_ms();
    for (const auto& message : store_.handed_queued()) {
      if (message.expires_at > now && !hooks_.in_outbox(kTagBit | static_cast<std::uint64_t>(message.seq))) {
        logger_->info("message {} for peer {} was delivered before the restart", message.id,
                      short_id(message.peer));
        finish(message.seq, Message::State::delivered);
      }
    }
  }
  tick();
}

void MessageService::stop() {
  stopped_ = true;
  alarm_.cancel();
}

void MessageService::arm() {
  if (!stopped_) alarm_.set(clock_.now() + config_.tick_interval, [this] { tick(); });
}

void MessageService::tick() {
  if (stopped_) return;
  for (const auto& message : store_.due(clock_.unix_ms(), kHandedGraceMs)) finish(message.seq, Message::State::expired);
  for (const auto& peer : store_.peers_with_unhanded()) pump(peer);
  arm();
}

boost::system::result<Message> MessageService::send(const std::string& peer, std::string_view text) {
  if (const auto ec = check_message_text(text)) return ec;
  if (!hooks_.may_send || !hooks_.may_send(peer)) return core::make_error_code(core::Errc::unknown_peer);
  if (store_.queue_size(peer).queued >= config_.max_queued_per_peer) {
    return core::make_error_code(core::Errc::queue_full);
  }
  const auto now = clock_.unix_ms();
  Message message{.id = make_message_id(),
                  .peer = peer,
                  .direction = Message::Direction::out,
                  .text = std::string(text),
                  .sent_at = now,
                  .expires_at = now + config_.ttl.count(),
                  .state = Message::State::queued,
                  .read = true};
  auto stored = store_.add(message);
  if (!stored || !*stored) {
    if (!stored) logger_->error("could not store a message for peer {}: {}", short_id(peer), stored.error().message());
    return core::make_error_code(core::Errc::storage_failed);
  }
  changed(**stored);
  pump(peer);
  return std::move(**stored);
}

std::vector<Message> MessageService::history(const std::string& peer, std::int64_t before, std::size_t limit) const {
  return store_.history(peer, before, limit);
}

std::vector<Message> MessageService::unread(std::size_t limit) const { return store_.unread(limit); }

std::map<std::string, std::size_t> MessageService::unread_counts() const { return store_.unread_counts(); }

std::optional<Message> MessageService::find(std::string_view id) const { return store_.find(id); }

boost::system::result<std::size_t> MessageService::mark_read(const std::string& peer) {
  auto count = store_.mark_read(peer);
  if (!count) {
    logger_->error("could not mark the messages of peer {} read: {}", short_id(peer), count.error().message());
    return core::make_error_code(core::Errc::storage_failed);
  }
  if (*count > 0 && hooks_.unread_changed) hooks_.unread_changed();
  return count;
}

void MessageService::received(const std::string& peer, std::string_view payload) {
  if (stopped_) return;
  auto parsed = parse_message_payload(payload);
  if (!parsed) {
    logger_->warn("ignored a message from peer {}: {}", short_id(peer), parsed.error().message());
    return;
  }
  const Message message{.id = std::move(parsed->id),
                        .peer = peer,
                        .direction = Message::Direction::in,
                        .text = std::move(parsed->text),
                        .sent_at = parsed->sent_at,
                        .done_at = clock_.unix_ms(),
                        .state = Message::State::received,
                        .read = false};
  const auto stored = store_.add(message);
  if (!stored) {
    // Signaling has acknowledged it already: it is lost. Say so (never its text).
    logger_->error("could not store message {} from peer {}: {}", message.id, short_id(peer), stored.error().message());
    return;
  }
  if (!*stored) {
    logger_->debug("message {} from peer {} arrived again; kept once", message.id, short_id(peer));
    return;
  }
  changed(**stored);
  if (hooks_.unread_changed) hooks_.unread_changed();
}

void MessageService::delivered(std::uint64_t tag) {
  if (owns_tag(tag)) finish(static_cast<std::int64_t>(tag & ~kTagBit), Message::State::delivered);
}

void MessageService::expired(std::uint64_t tag) {
  if (owns_tag(tag)) finish(static_cast<std::int64_t>(tag & ~kTagBit), Message::State::expired);
}

void MessageService::finish(std::int64_t seq, Message::State state) {
  const auto message = store_.finish(seq, state, clock_.unix_ms());
  if (message) {
    if (state == Message::State::expired) {
      logger_->info("message {} for peer {} expired undelivered", message->id, short_id(message->peer));
    }
    changed(*message);
  }
  // Its place in the window is free.
  if (stopped_) return;
  if (message) {
    pump(message->peer);
  } else if (const auto known = store_.find(seq)) {
    pump(known->peer);
  }
}

void MessageService::pump(const std::string& peer) {
  if (!hooks_.send) return;
  auto size = store_.queue_size(peer);
  while (size.handed < config_.window_messages && size.handed_bytes < config_.window_bytes) {
    const auto waiting = store_.unhanded(peer, config_.window_messages - size.handed);
    if (waiting.empty()) return;
    for (const auto& message : waiting) {
      const auto now = clock_.unix_ms();
      if (message.expires_at <= now) {
        if (auto expired = store_.finish(message.seq, Message::State::expired, now)) changed(*expired);
        continue;
      }
      const auto sent = hooks_.send(peer, MessagePayload::kType,
                                    serialize(MessagePayload{.id = message.id, .text = message.text,
                                                             .sent_at = message.sent_at}),
                                    std::chrono::milliseconds(message.expires_at - now),
                                    kTagBit | static_cast<std::uint64_t>(message.seq));
      if (!sent) {
        // A full outbox or a peer no longer known: tried again at the next tick or delivery.
        logger_->debug("message {} for peer {} waits: {}", message.id, short_id(peer), sent.error().message());
        return;
      }
      if (const auto ec = store_.mark_handed(message.seq)) {
        // Handed again later: the receiver keeps one copy per id.
        logger_->warn("could not note message {} as handed: {}", message.id, ec.message());
      }
      ++size.handed;
      size.handed_bytes += message.text.size();
      if (size.handed >= config_.window_messages || size.handed_bytes >= config_.window_bytes) return;
    }
  }
}

void MessageService::changed(const Message& message) const {
  if (hooks_.changed) hooks_.changed(message);
}

}  // namespace peerdrop::messages
