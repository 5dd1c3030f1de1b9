#include "signaling/inbox_state.hpp"

#include "core/startup_error.hpp"

namespace peerdrop::signaling {

InboxState::InboxState(store::SqliteDatabase& db) : db_(db) {
  auto ec = db_.exec("CREATE TABLE IF NOT EXISTS inbox_state(sender TEXT PRIMARY KEY, last_delivered INTEGER NOT NULL)");
  if (!ec) {
    auto query = db_.prepare("SELECT sender, last_delivered FROM inbox_state");
    // Sequences are unsigned 64-bit; SQLite holds them as the same bits, signed.
    ec = !query ? query.error() : query->each_row([this](const store::Statement& row) {
      last_[row.column_text(0)] = static_cast<std::uint64_t>(row.column_int(1));
    });
  }
  if (ec) throw core::StartupError("cannot prepare the signaling inbox state: " + ec.message());
}

InboxVerdict InboxState::judge(const std::string& sender_id, std::uint64_t sequence, std::uint64_t floor) const {
  const auto last = last_delivered(sender_id);
  if (sequence <= last) return InboxVerdict::duplicate;
  // sequence > last from here on, so last + 1 cannot overflow.
  if (sequence == last + 1 || floor == sequence) return InboxVerdict::deliver;
  return InboxVerdict::gap;
}

bool InboxState::delivered(const std::string& sender_id, std::uint64_t sequence) {
  if (sequence <= last_delivered(sender_id)) return true;
  last_[sender_id] = sequence;
  return !db_.run(
      "INSERT INTO inbox_state(sender, last_delivered) VALUES(?, ?) "
      "ON CONFLICT(sender) DO UPDATE SET last_delivered = excluded.last_delivered",
      sender_id, sequence);
}

std::uint64_t InboxState::last_delivered(const std::string& sender_id) const {
  const auto found = last_.find(sender_id);
  return found == last_.end() ? 0 : found->second;
}

}  // namespace peerdrop::signaling
