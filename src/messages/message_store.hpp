#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messages/message.hpp"
#include "store/sqlite_database.hpp"

namespace peerdrop::messages {

// Every conversation's history, both directions, in SQLite: at most
// `max_per_peer` messages per peer, the oldest deleted when a new one comes.
// An incoming message is stored once per (peer, id): the same id again is a
// duplicate, however often the sender's daemon sends it. Failures are
// error_codes (sqlite_category()), never exceptions.
//
// One table (created if missing):
//   messages(seq INTEGER PRIMARY KEY AUTOINCREMENT, id, peer, outgoing, text,
//            sent_at, done_at, expires_at, state, handed, read, UNIQUE(peer, outgoing, id))
// `handed`: an outgoing message was given to signaling's outbox (MessageService).
//
// Not thread-safe: it lives on the daemon's one io_context thread.
class MessageStore {
 public:
  // Creates the table if missing. Throws core::StartupError if it cannot.
  MessageStore(store::SqliteDatabase& db, std::size_t max_per_peer);
  MessageStore(const MessageStore&) = delete;
  MessageStore& operator=(const MessageStore&) = delete;

  // Stores a new message (`seq` is assigned; the peer's oldest beyond the
  // bound are deleted in the same transaction). For an incoming message whose
  // (peer, id) is already stored: nothing (a duplicate).
  boost::system::result<std::optional<Message>> add(const Message& message);

  std::optional<Message> find(std::int64_t seq) const;
  // The outgoing message with that id (the newest if several peers got one), else the incoming one.
  std::optional<Message> find(std::string_view id) const;

  // The peer's newest `limit` messages with seq < before (0: no bound), oldest first.
  std::vector<Message> history(const std::string& peer, std::int64_t before, std::size_t limit) const;
  // Incoming messages not yet read, oldest first, at most `limit`.
  std::vector<Message> unread(std::size_t limit) const;
  // Unread incoming messages per peer (peers with none are left out).
  std::map<std::string, std::size_t> unread_counts() const;
  // Marks the peer's incoming messages read; how many were unread.
  boost::system::result<std::size_t> mark_read(const std::string& peer);

  // An outgoing message still queued becomes `state` (delivered or expired)
  // at `at`; delivered also replaces expired (the peer's ack came late).
  // The changed message, or nothing if there was no such change.
  std::optional<Message> finish(std::int64_t seq, Message::State state, std::int64_t at);
  // The outgoing message was given to the signaling outbox.
  boost::system::error_code mark_handed(std::int64_t seq);

  // A peer's queued outgoing messages: how many, and how many and how many
  // text bytes of them are handed.
  struct QueueSize {
    std::size_t queued = 0;
    std::size_t handed = 0;
    std::size_t handed_bytes = 0;
  };
  QueueSize queue_size(const std::string& peer) const;
  // The peer's oldest queued messages not yet handed, at most `limit`.
  std::vector<Message> unhanded(const std::string& peer, std::size_t limit) const;
  // Peers with queued messages not yet handed.
  std::vector<std::string> peers_with_unhanded() const;
  // Queued messages given to the signaling outbox, oldest first.
  std::vector<Message> handed_queued() const;
  // Queued messages that expire at or before `now`: not handed, or handed and
  // past `now - grace` (signaling reports those; this is the safety net).
  std::vector<Message> due(std::int64_t now, std::int64_t grace) const;

 private:
  store::SqliteDatabase& db_;
  std::size_t max_per_peer_;
};

}  // namespace peerdrop::messages
