#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace peerdrop::cli {

// A message as POST /api/messages and GET /api/messages/{id} answer it, with what `peerdrop msg` needs.
struct MessageRecord {
  std::string id;
  std::string peer;
  std::string state;  // "queued", "delivered", "expired" (or "received")
  std::int64_t expires_at_ms = 0;  // while queued
};

// Nothing unless id, peer and state are strings (and expiresAt, when present, a whole number).
std::optional<MessageRecord> parse_message_record(std::string_view body);

}  // namespace peerdrop::cli
