#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/transfer_record.hpp"

namespace peerdrop::cli {

// What waits for an answer here, as `peerdrop inbox` shows it. Each kind of
// thing that waits is a list of its own: unread messages join as a second
// list (and a second section of the text and the JSON) once the daemon has them.
struct InboxFacts {
  std::vector<TransferRecord> offers;  // GET /api/offers
  std::int64_t now_ms = 0;             // Unix ms, for "expires in 9 min"
};

// For a person: each offer's short id, sender, size, when it expires and its
// first few file names, then how to answer; "Nothing waits for an answer." when empty.
std::string inbox_text(const InboxFacts& facts);

// `peerdrop inbox --json` (docs/protocol.md): {"offers":[…]}, each offer as the daemon sent it.
boost::json::object inbox_json(const InboxFacts& facts);

// "expires in 9 min", "expires in 40 s", "expires now"
std::string expires_text(std::int64_t expires_at_ms, std::int64_t now_ms);

}  // namespace peerdrop::cli
