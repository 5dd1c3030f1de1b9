#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace peerdrop::core {

// Network byte order for the binary wire formats (announcements, envelopes, STUN).
template <typename T>
void put_big_endian(std::vector<std::uint8_t>& out, T value) {
  for (int shift = (static_cast<int>(sizeof(T)) - 1) * 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>(value >> shift));
  }
}

// Reads sizeof(T) bytes at `offset`; the caller has checked the bounds.
template <typename T>
T get_big_endian(std::span<const std::uint8_t> in, std::size_t offset) {
  T value = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) value = static_cast<T>((value << 8) | in[offset + i]);
  return value;
}

}  // namespace peerdrop::core
