#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace peerdrop::cli {

// Text from elsewhere (a peer's name) made safe to print on a terminal:
// controls, bidi overrides and bytes that are not UTF-8 become U+FFFD, so
// no name can move the cursor, recolour the screen or read as another.
std::string printable(std::string_view text);

// How many columns `text` (UTF-8, as printable() makes it) takes, counting
// each code point as one.
std::size_t columns(std::string_view text);

}  // namespace peerdrop::cli
