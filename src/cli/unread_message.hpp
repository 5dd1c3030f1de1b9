#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerdrop::cli {

// An unread incoming message as GET /api/messages?unread=1 lists it.
struct UnreadMessage {
  std::string id;
  std::string peer;  // the sender's id
  std::string text;
  std::int64_t sent_at_ms = 0;
  boost::json::object json;  // as the daemon sent it (for --json)
};

// The answer's "messages"; nothing unless each has string id, peer and text and a whole sentAt.
std::optional<std::vector<UnreadMessage>> parse_unread_messages(std::string_view body);

}  // namespace peerdrop::cli
