#pragma once

#include <boost/json/value.hpp>
#include <boost/system/result.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "ui/ui_messages.hpp"

namespace peerdrop::ui {

// Why a tab's message was refused: the `error` message to answer with.
struct MessageRefusal {
  std::string code;                        // "bad_request" or "unknown_type"
  std::string message;                     // a sentence for the developer of the page
  std::optional<boost::json::value> ref;   // echoed when the message had one
};

// The largest nesting a tab's message may have (a signal's payload carries an SDP or a candidate object).
inline constexpr std::size_t kMaxMessageDepth = 32;
inline constexpr std::size_t kMaxSessionBytes = 64;

// Reads one text message from a tab (at most WsConfig::max_frame_bytes, which
// the WebSocket enforces): a JSON object with a known `type` and each of that
// type's fields present and of its type. Never throws.
boost::system::result<IncomingMessage, MessageRefusal> parse_ui_message(std::string_view text);

}  // namespace peerdrop::ui
