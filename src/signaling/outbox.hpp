#pragma once

#include <boost/system/result.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "store/sqlite_database.hpp"

namespace peerdrop::signaling {

// One message this daemon still has to deliver, as the outbox hands it out.
struct OutboxEntry {
  std::string recipient;
  std::uint64_t sequence = 0;  // per recipient, from 1, never repeated
  std::string type;
  std::string payload;
  std::int64_t created_ms = 0;  // Unix ms
  std::int64_t expires_ms = 0;  // Unix ms; expired once the wall clock reaches it
  std::uint64_t client_tag = 0;  // opaque, the caller's own (e.g. which UI message this was)

  bool operator==(const OutboxEntry&) const = default;
};

// The messages this daemon still has to deliver to other daemons, held until
// each is acknowledged or its TTL runs out. Every change is written through
// to SQLite before the call returns, so a restart (even SIGKILL) loses
// nothing; reading never removes anything.
//
// Sizes and byte caps count type + payload bytes. Expiry uses the wall clock
// (`unix_ms`), because deadlines must survive a restart.
//
// Tables (created if missing; PRAGMA user_version is left to PeerStore):
//   outbox(recipient, sequence, type, payload, created, expires, tag) PK(recipient, sequence), WITHOUT ROWID
//   outbox_sequence(recipient PK, next)
// The next sequence for a recipient is max(outbox_sequence.next, max(outbox.sequence) + 1):
// enqueue is a single INSERT, and every DELETE first raises outbox_sequence.next
// in the same transaction, so a sequence is never handed out twice.
//
// Not thread-safe: it lives on the daemon's one io_context thread.
class Outbox {
 public:
  struct Limits {
    std::size_t max_messages_per_peer = 1000;
    std::size_t max_bytes_per_peer = 1 << 20;
    std::size_t max_messages = 200'000;
    std::size_t max_bytes = 64 << 20;
    std::chrono::milliseconds default_ttl{120'000};
    std::chrono::milliseconds max_ttl{600'000};  // the envelope's ttl field allows at most 600,000
    // For the daemons' own types (is_daemon_type), e.g. a message waiting for
    // a peer that is away for days: signaling signs such a message afresh
    // each time it sends it, with what is left of its TTL.
    std::chrono::milliseconds max_daemon_ttl{std::chrono::hours(24 * 30)};
  };

  // Creates the tables if missing and loads what they hold. Entries that
  // expired while the daemon was down are deleted now and reported by the
  // next purge_expired(). Throws core::StartupError if the database is unusable.
  Outbox(store::SqliteDatabase& db, const core::Clock& clock, Limits limits);
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Queues a message under the recipient's next sequence and stores it before
  // returning. ttl <= 0 means default_ttl; above max_ttl (max_daemon_ttl for a
  // daemon's own type) it is cut to that.
  // Errors: queue_full (a per-peer or global cap would be exceeded; nothing
  // changed), too_large (the message alone exceeds the per-peer byte cap, or
  // its type is over 255 bytes), io_error (SQLite refused the write; nothing changed).
  boost::system::result<OutboxEntry> enqueue(const std::string& recipient, std::string type, std::string payload,
                                             std::chrono::milliseconds ttl, std::uint64_t client_tag);

  // Unexpired entries in sequence order from sequence `from` on: at most
  // max_count, and no more than max_bytes together except that the first one
  // is always included.
  std::vector<OutboxEntry> pending(const std::string& recipient, std::size_t max_count, std::size_t max_bytes,
                                   std::uint64_t from = 0) const;

  // The lowest sequence still held and unexpired, or the next sequence to be
  // assigned if there is none: the envelope's `floor` field.
  std::uint64_t floor(const std::string& recipient) const;

  // The highest sequence ever handed out for the recipient (0 if none), also
  // by earlier runs.
  std::uint64_t last_sequence(const std::string& recipient) const;

  // Removes the recipient's entries with sequence <= up_to; returns how many.
  // `client_tags`, if given, receives the removed entries' tags (to tell their senders).
  std::size_t acknowledge(const std::string& recipient, std::uint64_t up_to,
                          std::vector<std::uint64_t>* client_tags = nullptr);

  // Removes and returns every expired entry (including those found expired at
  // load or while making room for enqueue), each exactly once.
  std::vector<OutboxEntry> purge_expired();

  // Drops the recipient's queue. Its sequence counter is kept, so a later
  // message to it still gets a sequence it has never seen.
  void forget(const std::string& recipient);

  // Whether an entry with this client tag is held, or expired and not yet reported.
  bool holds_tag(std::uint64_t client_tag) const;

  // Recipients with at least one unexpired entry, sorted.
  std::vector<std::string> recipients() const;
  // Entries and bytes held (expired ones count until purged).
  std::size_t size() const { return size_; }
  std::size_t bytes() const { return bytes_; }
  std::size_t size(const std::string& recipient) const;

  // SQLite failures while deleting (acknowledge, purge, forget). Memory is
  // updated anyway: rows left behind are deleted by a later call that covers
  // them, or come back after a restart and are resent (the receiver
  // acknowledges duplicates). The caller logs when this grows.
  std::uint64_t storage_errors() const { return storage_errors_; }

 private:
  // One queued message in memory: type and payload share one allocation.
  struct Entry {
    std::uint64_t sequence = 0;
    std::int64_t created_ms = 0;
    std::int64_t expires_ms = 0;
    std::uint64_t client_tag = 0;
    std::unique_ptr<char[]> data;  // type bytes, then payload bytes
    std::uint32_t payload_size = 0;
    std::uint8_t type_size = 0;

    std::string_view type() const { return {data.get(), type_size}; }
    std::string_view payload() const { return {data.get() + type_size, payload_size}; }
    std::size_t bytes() const { return std::size_t{type_size} + payload_size; }
  };

  struct Queue {
    std::deque<Entry> entries;  // ascending sequence
    std::uint64_t next_sequence = 1;
    std::size_t bytes = 0;
    // No entry expires before this (a lower bound; exact after a purge).
    std::int64_t earliest_expiry = std::numeric_limits<std::int64_t>::max();
  };

  using Queues = std::map<std::string, Queue, std::less<>>;

  static Entry make_entry(std::uint64_t sequence, std::string_view type, std::string_view payload,
                          std::int64_t created_ms, std::int64_t expires_ms, std::uint64_t client_tag);
  static OutboxEntry to_outbox_entry(const std::string& recipient, const Entry& entry);

  boost::system::error_code load();
  bool fits(const Queue* queue, std::size_t entry_bytes) const;
  // Moves the expired entries of every queue into expired_ and deletes them from the database.
  void evict_expired(std::int64_t now);
  // Runs `body` in one write transaction; false (rolled back) if SQLite failed.
  bool write_transaction(const std::function<boost::system::error_code()>& body);
  boost::system::error_code save_next_sequence(const std::string& recipient, std::uint64_t next);

  store::SqliteDatabase& db_;
  const core::Clock& clock_;
  Limits limits_;
  Queues queues_;  // entries are never erased: they keep each recipient's next sequence
  std::vector<OutboxEntry> expired_;  // removed, not yet reported by purge_expired()
  std::size_t size_ = 0;
  std::size_t bytes_ = 0;
  std::uint64_t storage_errors_ = 0;
};

}  // namespace peerdrop::signaling
