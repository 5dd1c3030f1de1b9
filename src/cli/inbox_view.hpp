#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cli/transfer_record.hpp"
#include "cli/unread_message.hpp"

namespace peerdrop::cli {

// What waits for an answer here, as `peerdrop inbox` shows it. Each kind of
// thing that waits is a list of its own: unread messages join as a second
// list (and a second section of the text and the JSON) once the daemon has them.
struct InboxFacts {
  std::vector<TransferRecord> offers;  // GET /api/offers
  std::int64_t now_ms = 0;             // Unix ms, for "expires in 9 min"
  std::vector<UnreadMessage> messages;               // GET /api/messages?unread=1, oldest first
  std::map<std::string, std::string> peer_names;     // by id, for the messages' senders
};

// For a person: each offer's short id, sender, size, when it expires and its
// first few file names, then how to answer; "Nothing waits for an answer." when empty.
std::string inbox_text(const InboxFacts& facts);

// `peerdrop inbox --json` (docs/protocol.md): {"offers":[…],"messages":[…]}, each as the daemon sent it.
boost::json::object inbox_json(const InboxFacts& facts);

// "expires in 9 min", "expires in 40 s", "expires now"
std::string expires_text(std::int64_t expires_at_ms, std::int64_t now_ms);
// "just now", "5 min ago", "3 h ago", "2 days ago"
std::string ago_text(std::int64_t then_ms, std::int64_t now_ms);

}  // namespace peerdrop::cli
