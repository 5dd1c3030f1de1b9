#pragma once

#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace peerdrop::channel {

// What travels on a daemon channel once TLS is up (docs/protocol.md,
// "Daemon channel, version 2"): frames of
//   u32 length (big-endian, of type + payload) | u8 type | payload
// in both directions.
enum class FrameType : std::uint8_t {
  hello = 1,      // the sender's signed announcement packet (kind probe): name, ports, relay flag
  envelopes = 2,  // signaling envelopes, framed as in "Signaling envelope": u32 length | envelope, …
  ack = 3,        // u64: the sender delivered the receiver's envelopes up to this sequence
  ping = 4,       // u64 nonce; answered with pong
  pong = 5,       // the ping's nonce
  transfer = 6,       // a transfer lane control message: one JSON object (lane/lane_message.hpp)
  transfer_data = 7,  // a transfer lane data frame (lane/lane_data_frame.hpp)
};

struct FrameHeader {
  FrameType type{};
  std::uint32_t payload_bytes = 0;
};

inline constexpr std::size_t kFrameHeaderBytes = 5;
// The largest payload a daemon accepts (a frame of envelopes stays well under it).
inline constexpr std::size_t kMaxFramePayloadBytes = 1024 * 1024 + 64;

// Reads a header. Errors (core::Errc): malformed (a length of 0, which has no
// room for the type), too_large (over kMaxFramePayloadBytes). An unknown type
// is not an error: its payload is skipped (a later version may add types).
boost::system::result<FrameHeader> parse_frame_header(std::span<const std::uint8_t, kFrameHeaderBytes> header);
bool is_known_type(FrameType type);

// Appends a frame to `out`.
void append_frame(FrameType type, std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& out);
std::vector<std::uint8_t> make_frame(FrameType type, std::span<const std::uint8_t> payload);

// The u64 payload of ack, ping and pong.
std::vector<std::uint8_t> u64_payload(std::uint64_t value);
boost::system::result<std::uint64_t> parse_u64_payload(std::span<const std::uint8_t> payload);

}  // namespace peerdrop::channel
