#include "core/utf8.hpp"

namespace peerdrop::core {

CodePoint decode_utf8(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return {1, c};
  std::size_t length = 0;
  char32_t min = 0;
  char32_t value = 0;
  if ((c & 0xe0) == 0xc0) {
    length = 2, min = 0x80, value = c & 0x1f;
  } else if ((c & 0xf0) == 0xe0) {
    length = 3, min = 0x800, value = c & 0x0f;
  } else if ((c & 0xf8) == 0xf0) {
    length = 4, min = 0x10000, value = c & 0x07;
  } else {
    return {};
  }
  if (i + length > s.size()) return {};
  for (std::size_t k = 1; k < length; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xc0) != 0x80) return {};
    value = (value << 6) | (cc & 0x3f);
  }
  if (value < min || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) return {};
  return {length, value};
}

}  // namespace peerdrop::core
