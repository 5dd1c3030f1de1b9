#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace peerdrop::lane {

// One transfer of the lane as this daemon keeps it, in either direction.
struct LaneFile {
  std::string path;    // relative, '/'-separated: the name offered
  std::uint64_t size = 0;
  std::string source;  // sending side only: the absolute path read
  std::int64_t mtime_ns = 0;  // sending side only: the source's modification time when offered
  bool from_page = false;     // sending side only: a page uploads its bytes into `source` (a spool file)
};

enum class Direction { incoming, outgoing };

enum class LaneState {
  offered,    // waiting for the receiver's answer
  accepted,   // bytes are moving (or will, when the peer is reachable)
  done,       // every file landed and was verified
  declined,   // the receiver said no (code: declined, disk_full, …)
  expired,    // nobody answered in time
  cancelled,  // either side cancelled
  failed,     // it cannot go on (a source file changed or vanished, …)
};

std::string_view to_string(LaneState state);
bool parse_state(std::string_view text, LaneState& state);
bool is_final(LaneState state);

struct LaneTransfer {
  Direction direction = Direction::outgoing;
  std::string peer;  // the other daemon's id
  std::string tid;   // the sender's transfer id: unique per (direction, peer)
  std::vector<LaneFile> files;
  LaneState state = LaneState::offered;
  std::string code;    // why it ended other than done
  std::string reason;  // the same in words
  std::string answered_by;  // receiving side: trust, tab, command line, notification
  std::int64_t created_at = 0;  // Unix ms
  std::int64_t expires_at = 0;  // Unix ms: an offer unanswered by then expires
  std::int64_t updated_at = 0;

  // The sum of the sizes, at most 2^64 - 1.
  std::uint64_t total_bytes() const;
};

}  // namespace peerdrop::lane
