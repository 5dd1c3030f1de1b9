#include "messages/message_text.hpp"

#include "core/errc.hpp"
#include "core/utf8.hpp"

namespace peerdrop::messages {

boost::system::error_code check_message_text(std::string_view text) {
  if (text.empty()) return core::Errc::malformed;
  if (text.size() > kMaxTextBytes) return core::Errc::too_large;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = core::decode_utf8(text, i);
    if (c.length == 0) return core::Errc::malformed;
    const bool control = c.value < 0x20 || c.value == 0x7f || (c.value >= 0x80 && c.value <= 0x9f);
    if (control && c.value != '\t' && c.value != '\n' && c.value != '\r') return core::Errc::malformed;
    i += c.length;
  }
  return {};
}

}  // namespace peerdrop::messages
