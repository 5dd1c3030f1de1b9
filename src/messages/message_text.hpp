#pragma once

#include <boost/system/error_code.hpp>
#include <cstddef>
#include <string_view>

namespace peerdrop::messages {

inline constexpr std::size_t kMaxTextBytes = 16 * 1024;

// A message's text as the protocol allows it: 1 to kMaxTextBytes bytes of
// valid UTF-8 (shortest forms, no surrogates), with no control characters
// but tab, line feed and carriage return. Errors: core::Errc::malformed
// (empty, not UTF-8, a control character), too_large.
boost::system::error_code check_message_text(std::string_view text);

}  // namespace peerdrop::messages
