#include "signaling/outbox.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <ranges>
#include <utility>

#include "core/errc.hpp"
#include "core/startup_error.hpp"
#include "signaling/envelope.hpp"
#include "store/transaction.hpp"

namespace peerdrop::signaling {

namespace {

constexpr std::size_t kMaxTypeSize = std::numeric_limits<std::uint8_t>::max();

bool expired(std::int64_t expires_ms, std::int64_t now) { return expires_ms <= now; }

// SQLite integers are signed: sequences and tags are stored bit for bit.
std::int64_t to_sql(std::uint64_t value) { return static_cast<std::int64_t>(value); }
std::uint64_t from_sql(std::int64_t value) { return static_cast<std::uint64_t>(value); }

}  // namespace

Outbox::Outbox(store::SqliteDatabase& db, const core::Clock& clock, Limits limits)
    : db_(db), clock_(clock), limits_(limits) {
  limits_.max_ttl = std::max(limits_.max_ttl, std::chrono::milliseconds{1});
  limits_.default_ttl = std::clamp(limits_.default_ttl, std::chrono::milliseconds{1}, limits_.max_ttl);
  auto ec = db_.exec(
      "CREATE TABLE IF NOT EXISTS outbox("
      "  recipient TEXT NOT NULL, sequence INTEGER NOT NULL, type TEXT NOT NULL, payload BLOB,"
      "  created INTEGER NOT NULL, expires INTEGER NOT NULL, tag INTEGER NOT NULL,"
      "  PRIMARY KEY(recipient, sequence)) WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS outbox_sequence(recipient TEXT PRIMARY KEY, next INTEGER NOT NULL);");
  if (!ec) ec = load();
  if (ec) throw core::StartupError("cannot load the signaling outbox: " + ec.message());
}

boost::system::error_code Outbox::load() {
  const auto now = clock_.unix_ms();
  auto counters = db_.prepare("SELECT recipient, next FROM outbox_sequence");
  if (!counters) return counters.error();
  if (auto ec = counters->each_row([&](const store::Statement& row) {
        auto& queue = queues_[row.column_text(0)];
        queue.next_sequence = std::max(queue.next_sequence, from_sql(row.column_int(1)));
      })) {
    return ec;
  }

  std::vector<std::string> with_expired;
  auto rows = db_.prepare(
      "SELECT recipient, sequence, type, payload, created, expires, tag FROM outbox ORDER BY recipient, sequence");
  if (!rows) return rows.error();
  if (auto ec = rows->each_row([&](const store::Statement& row) {
        auto recipient = row.column_text(0);
        const auto sequence = from_sql(row.column_int(1));
        const auto type = row.column_text(2);
        const auto blob = row.column_blob(3);
        const std::string_view payload(reinterpret_cast<const char*>(blob.data()), blob.size());
        const auto created_ms = row.column_int(4);
        const auto expires_ms = row.column_int(5);
        const auto client_tag = from_sql(row.column_int(6));
        if (type.size() > kMaxTypeSize || blob.size() > std::numeric_limits<std::uint32_t>::max()) return;  // not ours

        auto& queue = queues_[recipient];
        queue.next_sequence = std::max(queue.next_sequence, sequence + 1);
        if (expired(expires_ms, now)) {
          if (with_expired.empty() || with_expired.back() != recipient) with_expired.push_back(recipient);
          expired_.push_back(OutboxEntry{std::move(recipient), sequence, type, std::string(payload), created_ms,
                                         expires_ms, client_tag});
          return;
        }
        auto entry = make_entry(sequence, type, payload, created_ms, expires_ms, client_tag);
        queue.bytes += entry.bytes();
        queue.earliest_expiry = std::min(queue.earliest_expiry, expires_ms);
        bytes_ += entry.bytes();
        ++size_;
        queue.entries.push_back(std::move(entry));
      })) {
    return ec;
  }

  if (expired_.empty()) return {};
  auto tx = store::Transaction::begin(db_);
  if (!tx) return tx.error();
  for (const auto& recipient : with_expired) {
    if (auto ec = save_next_sequence(recipient, queues_[recipient].next_sequence)) return ec;
  }
  if (auto ec = db_.run("DELETE FROM outbox WHERE expires <= ?", now)) return ec;
  return tx->commit();
}

boost::system::result<OutboxEntry> Outbox::enqueue(const std::string& recipient, std::string type,
                                                   std::string payload, std::chrono::milliseconds ttl,
                                                   std::uint64_t client_tag) {
  const std::size_t entry_bytes = type.size() + payload.size();
  if (type.size() > kMaxTypeSize || entry_bytes > limits_.max_bytes_per_peer || entry_bytes > limits_.max_bytes) {
    return core::make_error_code(core::Errc::too_large);
  }
  const auto now = clock_.unix_ms();
  auto found = queues_.find(recipient);
  Queue* queue = found == queues_.end() ? nullptr : &found->second;
  if (!fits(queue, entry_bytes)) {
    evict_expired(now);  // expired entries do not hold a place; purge_expired() reports them
    if (!fits(queue, entry_bytes)) return core::make_error_code(core::Errc::queue_full);
  }

  if (ttl <= std::chrono::milliseconds::zero()) ttl = limits_.default_ttl;
  ttl = std::min(ttl, is_daemon_type(type) ? limits_.max_daemon_ttl : limits_.max_ttl);
  OutboxEntry out{.recipient = recipient,
                  .sequence = queue ? queue->next_sequence : 1,
                  .type = std::move(type),
                  .payload = std::move(payload),
                  .created_ms = now,
                  .expires_ms = now + ttl.count(),
                  .client_tag = client_tag};

  // Written before it is queued in memory: a failed write changes nothing.
  if (db_.run("INSERT INTO outbox(recipient, sequence, type, payload, created, expires, tag) VALUES(?,?,?,?,?,?,?)",
              out.recipient, to_sql(out.sequence), out.type,
              std::span(reinterpret_cast<const std::uint8_t*>(out.payload.data()), out.payload.size()),
              out.created_ms, out.expires_ms, to_sql(out.client_tag))) {
    return boost::system::errc::make_error_code(boost::system::errc::io_error);
  }

  if (!queue) queue = &queues_[recipient];
  auto entry = make_entry(out.sequence, out.type, out.payload, out.created_ms, out.expires_ms, out.client_tag);
  queue->next_sequence = out.sequence + 1;
  queue->bytes += entry_bytes;
  queue->earliest_expiry = std::min(queue->earliest_expiry, out.expires_ms);
  queue->entries.push_back(std::move(entry));
  bytes_ += entry_bytes;
  ++size_;
  return out;
}

std::vector<OutboxEntry> Outbox::pending(const std::string& recipient, std::size_t max_count,
                                         std::size_t max_bytes, std::uint64_t from) const {
  std::vector<OutboxEntry> out;
  const auto found = queues_.find(recipient);
  if (found == queues_.end()) return out;
  const auto now = clock_.unix_ms();
  std::size_t used = 0;
  const auto& entries = found->second.entries;
  const auto below = [](const Entry& entry, std::uint64_t sequence) { return entry.sequence < sequence; };
  const auto first = std::lower_bound(entries.begin(), entries.end(), from, below);
  for (const auto& entry : std::ranges::subrange(first, entries.end())) {
    if (out.size() >= max_count) break;
    if (expired(entry.expires_ms, now)) continue;
    if (!out.empty() && used + entry.bytes() > max_bytes) break;
    used += entry.bytes();
    out.push_back(to_outbox_entry(recipient, entry));
  }
  return out;
}

std::uint64_t Outbox::floor(const std::string& recipient) const {
  const auto found = queues_.find(recipient);
  if (found == queues_.end()) return 1;
  const auto now = clock_.unix_ms();
  for (const auto& entry : found->second.entries) {
    if (!expired(entry.expires_ms, now)) return entry.sequence;
  }
  return found->second.next_sequence;
}

std::uint64_t Outbox::last_sequence(const std::string& recipient) const {
  const auto found = queues_.find(recipient);
  return found == queues_.end() ? 0 : found->second.next_sequence - 1;
}

std::size_t Outbox::acknowledge(const std::string& recipient, std::uint64_t up_to,
                                std::vector<std::uint64_t>* client_tags) {
  const auto found = queues_.find(recipient);
  if (found == queues_.end()) return 0;
  auto& queue = found->second;
  const auto end = std::find_if(queue.entries.begin(), queue.entries.end(),
                                [up_to](const Entry& entry) { return entry.sequence > up_to; });
  const auto removed = static_cast<std::size_t>(std::distance(queue.entries.begin(), end));
  if (removed == 0) return 0;

  std::size_t removed_bytes = 0;
  for (auto it = queue.entries.begin(); it != end; ++it) {
    removed_bytes += it->bytes();
    if (client_tags) client_tags->push_back(it->client_tag);
  }
  queue.entries.erase(queue.entries.begin(), end);
  queue.bytes -= removed_bytes;
  bytes_ -= removed_bytes;
  size_ -= removed;

  const auto last = std::min<std::uint64_t>(up_to, std::numeric_limits<std::int64_t>::max());
  write_transaction([&]() -> boost::system::error_code {
    if (auto ec = save_next_sequence(recipient, queue.next_sequence)) return ec;
    return db_.run("DELETE FROM outbox WHERE recipient = ? AND sequence <= ?", recipient, to_sql(last));
  });
  return removed;
}

bool Outbox::holds_tag(std::uint64_t client_tag) const {
  for (const auto& [recipient, queue] : queues_) {
    for (const auto& entry : queue.entries) {
      if (entry.client_tag == client_tag) return true;
    }
  }
  return std::any_of(expired_.begin(), expired_.end(),
                     [&](const OutboxEntry& entry) { return entry.client_tag == client_tag; });
}

std::vector<OutboxEntry> Outbox::purge_expired() {
  evict_expired(clock_.unix_ms());
  return std::exchange(expired_, {});
}

void Outbox::evict_expired(std::int64_t now) {
  std::vector<Queues::iterator> touched;
  for (auto it = queues_.begin(); it != queues_.end(); ++it) {
    auto& queue = it->second;
    if (queue.earliest_expiry > now) continue;
    // Keeps the unexpired entries in order at the front, reports the others.
    std::int64_t earliest = std::numeric_limits<std::int64_t>::max();
    std::size_t removed_bytes = 0;
    const auto before = expired_.size();
    auto keep = queue.entries.begin();
    for (auto& entry : queue.entries) {
      if (expired(entry.expires_ms, now)) {
        removed_bytes += entry.bytes();
        expired_.push_back(to_outbox_entry(it->first, entry));
        continue;
      }
      earliest = std::min(earliest, entry.expires_ms);
      if (&*keep != &entry) *keep = std::move(entry);
      ++keep;
    }
    queue.entries.erase(keep, queue.entries.end());
    queue.earliest_expiry = earliest;
    const auto removed = expired_.size() - before;
    if (removed == 0) continue;
    queue.bytes -= removed_bytes;
    bytes_ -= removed_bytes;
    size_ -= removed;
    touched.push_back(it);
  }
  if (touched.empty()) return;

  write_transaction([&]() -> boost::system::error_code {
    for (const auto it : touched) {
      if (auto ec = save_next_sequence(it->first, it->second.next_sequence)) return ec;
      if (auto ec = db_.run("DELETE FROM outbox WHERE recipient = ? AND expires <= ?", it->first, now)) return ec;
    }
    return {};
  });
}

void Outbox::forget(const std::string& recipient) {
  const auto found = queues_.find(recipient);
  if (found == queues_.end()) return;
  auto& queue = found->second;
  size_ -= queue.entries.size();
  bytes_ -= queue.bytes;
  queue.entries.clear();
  queue.bytes = 0;
  queue.earliest_expiry = std::numeric_limits<std::int64_t>::max();
  write_transaction([&]() -> boost::system::error_code {
    if (auto ec = save_next_sequence(recipient, queue.next_sequence)) return ec;
    return db_.run("DELETE FROM outbox WHERE recipient = ?", recipient);
  });
}

std::vector<std::string> Outbox::recipients() const {
  std::vector<std::string> out;
  const auto now = clock_.unix_ms();
  for (const auto& [recipient, queue] : queues_) {
    if (queue.earliest_expiry > now && !queue.entries.empty()) {
      out.push_back(recipient);
      continue;
    }
    if (std::any_of(queue.entries.begin(), queue.entries.end(),
                    [now](const Entry& entry) { return !expired(entry.expires_ms, now); })) {
      out.push_back(recipient);
    }
  }
  return out;
}

std::size_t Outbox::size(const std::string& recipient) const {
  const auto found = queues_.find(recipient);
  return found == queues_.end() ? 0 : found->second.entries.size();
}

bool Outbox::fits(const Queue* queue, std::size_t entry_bytes) const {
  const std::size_t queue_size = queue ? queue->entries.size() : 0;
  const std::size_t queue_bytes = queue ? queue->bytes : 0;
  return queue_size < limits_.max_messages_per_peer && queue_bytes + entry_bytes <= limits_.max_bytes_per_peer &&
         size_ < limits_.max_messages && bytes_ + entry_bytes <= limits_.max_bytes;
}

bool Outbox::write_transaction(const std::function<boost::system::error_code()>& body) {
  auto tx = store::Transaction::begin(db_);
  const auto ec = !tx ? tx.error() : body();
  if (ec || tx->commit()) {
    ++storage_errors_;  // rolled back
    return false;
  }
  return true;
}

boost::system::error_code Outbox::save_next_sequence(const std::string& recipient, std::uint64_t next) {
  return db_.run(
      "INSERT INTO outbox_sequence(recipient, next) VALUES(?, ?) "
      "ON CONFLICT(recipient) DO UPDATE SET next = max(next, excluded.next)",
      recipient, to_sql(next));
}

Outbox::Entry Outbox::make_entry(std::uint64_t sequence, std::string_view type, std::string_view payload,
                                 std::int64_t created_ms, std::int64_t expires_ms, std::uint64_t client_tag) {
  Entry entry;
  entry.sequence = sequence;
  entry.created_ms = created_ms;
  entry.expires_ms = expires_ms;
  entry.client_tag = client_tag;
  entry.type_size = static_cast<std::uint8_t>(type.size());
  entry.payload_size = static_cast<std::uint32_t>(payload.size());
  entry.data = std::make_unique_for_overwrite<char[]>(type.size() + payload.size());
  if (!type.empty()) std::memcpy(entry.data.get(), type.data(), type.size());
  if (!payload.empty()) std::memcpy(entry.data.get() + type.size(), payload.data(), payload.size());
  return entry;
}

OutboxEntry Outbox::to_outbox_entry(const std::string& recipient, const Entry& entry) {
  return OutboxEntry{recipient,
                     entry.sequence,
                     std::string(entry.type()),
                     std::string(entry.payload()),
                     entry.created_ms,
                     entry.expires_ms,
                     entry.client_tag};
}

}  // namespace peerdrop::signaling
