#include "cli/terminal_text.hpp"

#include "core/utf8.hpp"

namespace peerdrop::cli {

std::string printable(std::string_view text) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto c = core::decode_utf8(text, i);
    if (c.length == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    if (core::is_unsafe_in_name(c.value)) {
      out += kReplacement;
    } else {
      out.append(text.substr(i, c.length));
    }
    i += c.length;
  }
  return out;
}

std::size_t columns(std::string_view text) {
  std::size_t count = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;  // every byte but continuation bytes starts one
  }
  return count;
}

}  // namespace peerdrop::cli
