#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace peerdrop::core {

// Standard base64 with padding (libsodium's codec).
std::string base64_encode(std::span<const std::uint8_t> bytes);
// Returns nothing for malformed input or output longer than max_bytes.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text, std::size_t max_bytes);

}  // namespace peerdrop::core
