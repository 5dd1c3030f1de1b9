#pragma once

#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace peerdrop::messages {

// The wire payload of a `msg:text` daemon message (docs/protocol.md,
// "Messages"): {"id":"…","text":"…","sentAt":1764000000000}.
struct MessagePayload {
  static constexpr std::string_view kType = "msg:text";
  // Text at its limit with every byte escaped ("\"" or "\\") still fits, with the other fields.
  static constexpr std::size_t kMaxBytes = 40 * 1024;

  std::string id;
  std::string text;
  std::int64_t sent_at = 0;  // Unix ms, the sender's clock

  bool operator==(const MessagePayload&) const = default;
};

std::string serialize(const MessagePayload& payload);

// Reads a peer's payload: at most kMaxBytes of JSON, an object with a valid
// id (message_id.hpp), a valid text (message_text.hpp) and a whole sentAt
// >= 0; other fields are ignored. Never throws. Errors: core::Errc::too_large,
// malformed.
boost::system::result<MessagePayload> parse_message_payload(std::string_view json);

}  // namespace peerdrop::messages
