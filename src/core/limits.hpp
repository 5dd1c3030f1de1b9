#pragma once

#include <cstdint>
#include <limits>

namespace peerdrop::core {

// The largest integer a JavaScript number holds exactly (2^53 - 1): every
// count or size that crosses to a page or a JSON peer stays at or below it.
inline constexpr std::uint64_t kMaxSafeInteger = (std::uint64_t{1} << 53) - 1;
inline constexpr std::uint64_t kMaxU32 = std::numeric_limits<std::uint32_t>::max();

}  // namespace peerdrop::core
