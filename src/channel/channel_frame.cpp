#include "channel/channel_frame.hpp"

#include "core/big_endian.hpp"
#include "core/errc.hpp"

namespace peerdrop::channel {

boost::system::result<FrameHeader> parse_frame_header(std::span<const std::uint8_t, kFrameHeaderBytes> header) {
  const auto length = core::get_big_endian<std::uint32_t>(header, 0);
  if (length == 0) return core::make_error_code(core::Errc::malformed);
  if (length - 1 > kMaxFramePayloadBytes) return core::make_error_code(core::Errc::too_large);
  return FrameHeader{static_cast<FrameType>(header[4]), length - 1};
}

bool is_known_type(FrameType type) {
  switch (type) {
    case FrameType::hello:
    case FrameType::envelopes:
    case FrameType::ack:
    case FrameType::ping:
    case FrameType::pong:
    case FrameType::transfer:
    case FrameType::transfer_data: return true;
  }
  return false;
}

void append_frame(FrameType type, std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& out) {
  core::put_big_endian(out, static_cast<std::uint32_t>(payload.size() + 1));
  out.push_back(static_cast<std::uint8_t>(type));
  out.insert(out.end(), payload.begin(), payload.end());
}

std::vector<std::uint8_t> make_frame(FrameType type, std::span<const std::uint8_t> payload) {
  std::vector<std::uint8_t> out;
  out.reserve(kFrameHeaderBytes + payload.size());
  append_frame(type, payload, out);
  return out;
}

std::vector<std::uint8_t> u64_payload(std::uint64_t value) {
  std::vector<std::uint8_t> out;
  core::put_big_endian(out, value);
  return out;
}

boost::system::result<std::uint64_t> parse_u64_payload(std::span<const std::uint8_t> payload) {
  if (payload.size() != 8) return core::make_error_code(core::Errc::malformed);
  return core::get_big_endian<std::uint64_t>(payload, 0);
}

}  // namespace peerdrop::channel
