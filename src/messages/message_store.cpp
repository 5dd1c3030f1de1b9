#include "messages/message_store.hpp"

#include <algorithm>
#include <cstdint>

#include "core/startup_error.hpp"
#include "store/transaction.hpp"

namespace peerdrop::messages {

namespace {

constexpr std::string_view kColumns = "seq, id, peer, outgoing, text, sent_at, done_at, expires_at, state, read";
constexpr auto kQueued = static_cast<int>(Message::State::queued);

Message read_row(const store::Statement& row) {
  Message m;
  m.seq = row.column_int(0);
  m.id = row.column_text(1);
  m.peer = row.column_text(2);
  m.direction = row.column_int(3) != 0 ? Message::Direction::out : Message::Direction::in;
  m.text = row.column_text(4);
  m.sent_at = row.column_int(5);
  m.done_at = row.column_int(6);
  m.expires_at = row.column_int(7);
  const auto state = row.column_int(8);
  m.state = state >= 0 && state <= 3 ? static_cast<Message::State>(state) : Message::State::expired;
  m.read = row.column_int(9) != 0;
  return m;
}

std::string select(std::string_view rest) { return "SELECT " + std::string(kColumns) + " FROM messages " + std::string(rest); }

template <typename... Args>
std::vector<Message> rows(store::SqliteDatabase& db, const std::string& sql, const Args&... args) {
  std::vector<Message> out;
  auto query = db.query(sql, args...);
  if (!query) return out;
  if (query->each_row([&](const store::Statement& row) { out.push_back(read_row(row)); })) out.clear();
  return out;
}

}  // namespace

std::string_view to_string(Message::State state) {
  switch (state) {
    case Message::State::queued: return "queued";
    case Message::State::delivered: return "delivered";
    case Message::State::expired: return "expired";
    case Message::State::received: return "received";
  }
  return "expired";
}

std::string_view to_string(Message::Direction direction) { return direction == Message::Direction::out ? "out" : "in"; }

MessageStore::MessageStore(store::SqliteDatabase& db, std::size_t max_per_peer) : db_(db), max_per_peer_(max_per_peer) {
  const auto ec = db_.exec(
      "CREATE TABLE IF NOT EXISTS messages(seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, "
      "peer TEXT NOT NULL, outgoing INTEGER NOT NULL, text TEXT NOT NULL, sent_at INTEGER NOT NULL, "
      "done_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, state INTEGER NOT NULL, handed INTEGER NOT NULL, "
      "read INTEGER NOT NULL, UNIQUE(peer, outgoing, id));"
      "CREATE INDEX IF NOT EXISTS messages_by_peer ON messages(peer, seq);"
      "CREATE INDEX IF NOT EXISTS messages_unread ON messages(peer, seq) WHERE outgoing = 0 AND read = 0;"
      "CREATE INDEX IF NOT EXISTS messages_queued ON messages(peer, seq) WHERE state = 0;");
  if (ec) throw core::StartupError("cannot prepare the messages table: " + ec.message());
}

boost::system::result<std::optional<Message>> MessageStore::add(const Message& message) {
  auto tx = store::Transaction::begin(db_);
  if (!tx) return tx.error();
  const bool out = message.direction == Message::Direction::out;
  auto insert = db_.query(
      "INSERT INTO messages(id, peer, outgoing, text, sent_at, done_at, expires_at, state, handed, read) "
      "VALUES(?, ?, ?, ?, ?, ?, ?, ?, 0, ?) ON CONFLICT(peer, outgoing, id) DO NOTHING RETURNING seq",
      message.id, message.peer, out ? 1 : 0, message.text, message.sent_at, message.done_at, message.expires_at,
      static_cast<int>(message.state), message.read || out ? 1 : 0);
  if (!insert) return insert.error();
  const auto inserted = insert->step();
  if (!inserted) return inserted.error();
  if (!*inserted) return std::optional<Message>();  // a duplicate: nothing changed
  Message stored = message;
  stored.seq = insert->column_int(0);
  stored.read = message.read || out;
  if (const auto ec = insert->run()) return ec;
  // The bound: everything older than the peer's newest max_per_peer goes.
  if (const auto ec = db_.run(
          "DELETE FROM messages WHERE peer = ?1 AND seq <= "
          "(SELECT seq FROM messages WHERE peer = ?1 ORDER BY seq DESC LIMIT 1 OFFSET ?2)",
          message.peer, static_cast<std::int64_t>(max_per_peer_))) {
    return ec;
  }
  if (const auto ec = tx->commit()) return ec;
  return std::optional<Message>(std::move(stored));
}

std::optional<Message> MessageStore::find(std::int64_t seq) const {
  auto found = rows(db_, select("WHERE seq = ?"), seq);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::optional<Message> MessageStore::find(std::string_view id) const {
  auto found = rows(db_, select("WHERE id = ? ORDER BY outgoing DESC, seq DESC LIMIT 1"), id);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::vector<Message> MessageStore::history(const std::string& peer, std::int64_t before, std::size_t limit) const {
  auto out = rows(db_, select("WHERE peer = ? AND seq < ? ORDER BY seq DESC LIMIT ?"), peer,
                  before > 0 ? before : INT64_MAX, static_cast<std::int64_t>(limit));
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<Message> MessageStore::unread(std::size_t limit) const {
  return rows(db_, select("WHERE outgoing = 0 AND read = 0 ORDER BY seq LIMIT ?"), static_cast<std::int64_t>(limit));
}

std::map<std::string, std::size_t> MessageStore::unread_counts() const {
  std::map<std::string, std::size_t> out;
  auto query = db_.prepare("SELECT peer, count(*) FROM messages WHERE outgoing = 0 AND read = 0 GROUP BY peer");
  if (!query) return out;
  if (query->each_row([&](const store::Statement& row) {
        out[row.column_text(0)] = static_cast<std::size_t>(row.column_int(1));
      })) {
    out.clear();
  }
  return out;
}

boost::system::result<std::size_t> MessageStore::mark_read(const std::string& peer) {
  auto update = db_.query("UPDATE messages SET read = 1 WHERE peer = ? AND outgoing = 0 AND read = 0 RETURNING seq", peer);
  if (!update) return update.error();
  std::size_t count = 0;
  if (const auto ec = update->each_row([&](const store::Statement&) { ++count; })) return ec;
  return count;
}

std::optional<Message> MessageStore::finish(std::int64_t seq, Message::State state, std::int64_t at) {
  // Delivered wins over expired: the peer has it, whatever the clock said.
  const std::string_view from = state == Message::State::delivered ? "(0, 2)" : "(0)";
  auto update = db_.query("UPDATE messages SET state = ?, done_at = ? WHERE seq = ? AND outgoing = 1 AND state IN " +
                              std::string(from) + " RETURNING " + std::string(kColumns),
                          static_cast<int>(state), at, seq);
  if (!update) return std::nullopt;
  std::optional<Message> changed;
  if (update->each_row([&](const store::Statement& row) { changed = read_row(row); })) return std::nullopt;
  return changed;
}

boost::system::error_code MessageStore::mark_handed(std::int64_t seq) {
  return db_.run("UPDATE messages SET handed = 1 WHERE seq = ?", seq);
}

MessageStore::QueueSize MessageStore::queue_size(const std::string& peer) const {
  QueueSize size;
  auto query = db_.query(
      "SELECT count(*), coalesce(sum(handed), 0), coalesce(sum(CASE WHEN handed = 1 THEN length(CAST(text AS BLOB)) "
      "ELSE 0 END), 0) FROM messages WHERE peer = ? AND state = ?",
      peer, kQueued);
  if (!query) return size;
  query->each_row([&](const store::Statement& row) {
    size.queued = static_cast<std::size_t>(row.column_int(0));
    size.handed = static_cast<std::size_t>(row.column_int(1));
    size.handed_bytes = static_cast<std::size_t>(row.column_int(2));
  });
  return size;
}

std::vector<Message> MessageStore::unhanded(const std::string& peer, std::size_t limit) const {
  return rows(db_, select("WHERE peer = ? AND state = ? AND handed = 0 ORDER BY seq LIMIT ?"), peer, kQueued,
              static_cast<std::int64_t>(limit));
}

std::vector<std::string> MessageStore::peers_with_unhanded() const {
  std::vector<std::string> out;
  auto query = db_.query("SELECT DISTINCT peer FROM messages WHERE state = ? AND handed = 0 ORDER BY peer", kQueued);
  if (!query) return out;
  if (query->each_row([&](const store::Statement& row) { out.push_back(row.column_text(0)); })) out.clear();
  return out;
}

std::vector<Message> MessageStore::handed_queued() const {
  return rows(db_, select("WHERE state = ? AND handed = 1 ORDER BY seq"), kQueued);
}

std::vector<Message> MessageStore::due(std::int64_t now, std::int64_t grace) const {
  return rows(db_,
              select("WHERE state = ? AND ((handed = 0 AND expires_at <= ?2) OR (handed = 1 AND expires_at <= ?2 - ?3)) "
                     "ORDER BY seq"),
              kQueued, now, grace);
}

}  // namespace peerdrop::messages
