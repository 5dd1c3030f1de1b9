#pragma once

#include <cstddef>
#include <string_view>

namespace peerdrop::core {

// One code point decoded from UTF-8.
struct CodePoint {
  std::size_t length = 0;  // bytes; 0: no valid UTF-8 sequence starts here
  char32_t value = 0;
};

// The UTF-8 sequence at s[i] (i < s.size()): shortest form only, no
// surrogates, at most U+10FFFF; {0, 0} if s[i] does not start a valid one.
CodePoint decode_utf8(std::string_view s, std::size_t i);

// Characters no name shown to a person may carry: C0 controls and DEL, C1
// controls (U+0080-U+009F, some terminals act on them), and the bidi overrides
// and isolates (U+202A-U+202E, U+2066-U+2069: they can make a name read as
// another, e.g. "photo\u202Egpj.exe" shown as "photoexe.jpg").
constexpr bool is_unsafe_in_name(char32_t c) {
  return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
         (c >= 0x2066 && c <= 0x2069);
}

}  // namespace peerdrop::core
