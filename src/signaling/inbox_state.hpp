#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "store/sqlite_database.hpp"

namespace peerdrop::signaling {

// What to do with a verified envelope (docs/protocol.md, "Exactly once, in order").
enum class InboxVerdict {
  deliver,    // the next one: deliver it, then acknowledge
  duplicate,  // delivered before: do not deliver again, acknowledge again
  gap,        // earlier envelopes are still live: neither deliver nor acknowledge
};

// Per sender id, the last sequence delivered to this daemon, persisted in
// SQLite as inbox_state(sender TEXT PRIMARY KEY, last_delivered INTEGER NOT NULL)
// and cached in memory (loaded at construction, written through).
class InboxState {
 public:
  explicit InboxState(store::SqliteDatabase& db);  // creates the table, loads it (StartupError)

  InboxVerdict judge(const std::string& sender_id, std::uint64_t sequence, std::uint64_t floor) const;
  // Records that `sequence` was delivered; never moves backwards. Returns false
  // if SQLite refused the write: the cache still holds it, so this run does not
  // deliver it twice, but after a restart it may be delivered again.
  bool delivered(const std::string& sender_id, std::uint64_t sequence);
  // 0 for a sender never heard from.
  std::uint64_t last_delivered(const std::string& sender_id) const;

 private:
  store::SqliteDatabase& db_;
  std::unordered_map<std::string, std::uint64_t> last_;
};

}  // namespace peerdrop::signaling
