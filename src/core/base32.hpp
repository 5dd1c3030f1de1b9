#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace peerdrop::core {

// RFC 4648 base32 (A-Z, 2-7), without padding.
std::string base32_encode(std::span<const std::uint8_t> bytes);

}  // namespace peerdrop::core
