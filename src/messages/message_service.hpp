#pragma once

#include <boost/system/result.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/alarm.hpp"
#include "core/clock.hpp"
#include "core/logging.hpp"
#include "messages/message_access.hpp"
#include "messages/message_store.hpp"
#include "messages/messages_config.hpp"

namespace peerdrop::messages {

// Messages daemon to daemon (docs/protocol.md, "Messages"). A message is
// stored first (MessageStore, the sender's durable queue and history), then
// handed to signaling as a `msg:text` daemon message, which carries it
// exactly once and in order over the daemons' channel, however long the
// peer's daemon is away (up to the TTL). Of each peer's queued messages at
// most a window is in signaling's outbox at once; the rest wait here, so a
// long queue never fills the outbox that relay requests share. A handed
// message carries the tag kTagBit | seq, so signaling's `delivered` and
// `expired` say which message it was, also after a restart.
//
// The receiving side stores each (peer, id) once: a sender that handed a
// message again after a crash makes no duplicate.
class MessageService final : public MessageAccess {
 public:
  // Tags of signaling's outbox with this bit are messages; the UI's tags count up from 1.
  static constexpr std::uint64_t kTagBit = std::uint64_t{1} << 62;
  static bool owns_tag(std::uint64_t tag) { return (tag & kTagBit) != 0; }

  struct Hooks {
    // Queues a daemon message for a peer in signaling's outbox with that TTL and tag.
    std::function<boost::system::result<void>(const std::string& peer, std::string_view type, std::string payload,
                                              std::chrono::milliseconds ttl, std::uint64_t tag)>
        send;
    // Whether a peer may be written to: its key is known (a verified peer).
    std::function<bool(const std::string& peer)> may_send;
    std::function<void(const Message&)> changed;  // a message was added or changed state
    std::function<void()> unread_changed;         // unread_counts() changed
    // Whether signaling's outbox still holds (or has yet to report as expired) the message of this tag.
    std::function<bool(std::uint64_t tag)> in_outbox;
  };

  MessageService(const MessagesConfig& config, const core::Clock& clock, core::Alarm& alarm, MessageStore& store,
                 Hooks hooks, core::Logger logger);

  // Hands on what waited from an earlier run, and ticks every tick_interval.
  void start();
  void stop();
  // Expires what is due and hands on what could not be handed before.
  void tick();

  // MessageAccess
  boost::system::result<Message> send(const std::string& peer, std::string_view text) override;
  std::vector<Message> history(const std::string& peer, std::int64_t before, std::size_t limit) const override;
  std::vector<Message> unread(std::size_t limit) const override;
  std::map<std::string, std::size_t> unread_counts() const override;
  std::optional<Message> find(std::string_view id) const override;
  boost::system::result<std::size_t> mark_read(const std::string& peer) override;

  // Signaling's events: a `msg:text` from a peer; one of ours arrived or expired.
  void received(const std::string& peer, std::string_view payload);
  void delivered(std::uint64_t tag);
  void expired(std::uint64_t tag);

 private:
  // Hands the peer's oldest waiting messages to signaling while its window has room.
  void pump(const std::string& peer);
  void finish(std::int64_t seq, Message::State state);
  void changed(const Message& message) const;
  void arm();

  const MessagesConfig& config_;
  const core::Clock& clock_;
  core::Alarm& alarm_;
  MessageStore& store_;
  Hooks hooks_;
  core::Logger logger_;
  bool stopped_ = false;
};

}  // namespace peerdrop::messages
