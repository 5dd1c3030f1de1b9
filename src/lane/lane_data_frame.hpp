#pragma once

#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace peerdrop::lane {

// The payload of a channel frame of type `transfer_data` (docs/protocol.md, "Transfer lane"):
//
//     u8 tid length | tid | u32 generation | u32 file index | u64 offset | bytes     (big-endian)
//
// `tid` and `bytes` point into the payload it was parsed from.
struct DataFrame {
  static constexpr std::size_t kFixedBytes = 1 + 4 + 4 + 8;
  static constexpr std::size_t kMaxDataBytes = 512 * 1024;

  std::string_view tid;
  std::uint32_t gen = 0;
  std::uint32_t index = 0;
  std::uint64_t offset = 0;
  std::span<const std::uint8_t> bytes;
};

// Errors (core::Errc): malformed (shorter than its header, a bad transfer
// id, offset + length past 2^64 - 1), too_large (more than kMaxDataBytes).
boost::system::result<DataFrame> parse_data_frame(std::span<const std::uint8_t> payload);
// Appends the header of a frame whose `length` bytes follow (the caller appends them).
void append_data_header(std::string_view tid, std::uint32_t gen, std::uint32_t index, std::uint64_t offset,
                        std::vector<std::uint8_t>& out);

}  // namespace peerdrop::lane
