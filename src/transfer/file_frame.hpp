#pragma once

#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace peerdrop::transfer {

// One binary WebSocket frame from a UI tab carrying file bytes
// (docs/protocol.md, "File transfer, version 1"):
//
//     u32 handle | u64 offset | bytes          (big-endian, 12-byte header)
//
// `bytes` points into the frame it was parsed from.
struct FileFrame {
  static constexpr std::size_t kHeaderBytes = 12;
  static constexpr std::size_t kMaxDataBytes = 1024 * 1024;  // so a frame is at most 1 MiB + 12 bytes
  static constexpr std::size_t kMaxFrameBytes = kHeaderBytes + kMaxDataBytes;

  std::uint32_t handle = 0;
  std::uint64_t offset = 0;
  std::span<const std::uint8_t> bytes;
};

// Decodes a frame; never throws, never reads past `frame`. Errors
// (core::Errc): malformed (shorter than the header, or offset + length past
// 2^64 - 1), too_large (more than kMaxDataBytes of data). A frame of only a
// header (no bytes) is valid.
boost::system::result<FileFrame> parse_file_frame(std::span<const std::uint8_t> frame);

// The frame for `handle`, `offset` and `bytes` (for tests, fuzz seeds and benchmarks).
void append_file_frame(std::uint32_t handle, std::uint64_t offset, std::span<const std::uint8_t> bytes,
                       std::vector<std::uint8_t>& out);

}  // namespace peerdrop::transfer
