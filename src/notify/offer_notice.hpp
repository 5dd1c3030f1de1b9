#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.hpp"

namespace peerdrop::notify {

// What a desktop notification says about an offer of files. The names come
// from the sending peer: they are made safe to show before use
// (notification_text.hpp), never trusted.
struct OfferNotice {
  std::string key;          // the offer; what the answer hooks are called with
  std::string sender_name;  // the peer's display name
  std::uint64_t file_count = 0;
  std::uint64_t total_bytes = 0;
  std::string file_name;  // the one file's name, shown when file_count is 1
  // When the offer expires unanswered; the notification goes away then too. Nothing: it waits.
  std::optional<core::Clock::TimePoint> expires_at;
};

}  // namespace peerdrop::notify
