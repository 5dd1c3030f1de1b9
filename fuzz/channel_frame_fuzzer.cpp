// Fuzzes what a daemon reads from another daemon's channel once TLS is up
// (docs/protocol.md, "Daemon channel, version 2"): the input is the stream
// of frames the peer sends. Frames are read as DaemonChannel reads them
// (header, limits, payload; an unknown type skipped), and each payload goes
// through its receiver: hello (a signed probe packet), envelopes (framed
// signaling envelopes, checked against the channel's peer before their
// signature), ack, ping and pong (u64).
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "channel/channel_frame.hpp"
#include "core/big_endian.hpp"
#include "core/errc.hpp"
#include "discovery/announcement.hpp"
#include "fuzz_check.hpp"
#include "fuzz_identity.hpp"
#include "identity/peer_id.hpp"
#include "signaling/envelope.hpp"

namespace {

using namespace peerdrop;
using channel::FrameType;
using core::Errc;

constexpr std::size_t kMaxFrames = 256;  // SignalingConfig::max_frames
constexpr std::size_t kSenderIdAt = 40;  // the envelope's claimed sender id (docs/protocol.md)

void check_envelopes(std::span<const std::uint8_t> body) {
  const auto frames = signaling::split_frames(body, kMaxFrames);
  if (!frames) return;
  for (const auto frame : *frames) {
    const auto plain = signaling::decode_envelope(frame);
    // The sender a channel proved: checked before the signature, so a wrong one is malformed, never bad_signature.
    const auto& stranger = fuzz::fuzz_identity().peer_id();
    const auto wrong = signaling::decode_envelope(frame, stranger);
    PEERDROP_FUZZ_CHECK(!wrong || wrong->sender_id == stranger);
    if (!wrong) PEERDROP_FUZZ_CHECK(wrong.error() != Errc::bad_signature || plain.error() == Errc::bad_signature);
    if (frame.size() >= kSenderIdAt + 52) {
      const std::string claimed(reinterpret_cast<const char*>(frame.data()) + kSenderIdAt, 52);
      const auto right = signaling::decode_envelope(frame, claimed);
      if (plain && identity::derive_peer_id(plain->sender_key) == claimed) {
        PEERDROP_FUZZ_CHECK(right && *right == *plain);
      } else {
        PEERDROP_FUZZ_CHECK(!right);
      }
    }
  }
}

void check_payload(FrameType type, std::span<const std::uint8_t> payload) {
  switch (type) {
    case FrameType::hello: {
      const auto hello = discovery::decode_announcement(payload);
      PEERDROP_FUZZ_CHECK(!hello || payload.size() <= discovery::Announcement::kMaxPacketSize);
      break;
    }
    case FrameType::envelopes: check_envelopes(payload); break;
    case FrameType::ack:
    case FrameType::ping:
    case FrameType::pong: {
      const auto value = channel::parse_u64_payload(payload);
      PEERDROP_FUZZ_CHECK(value.has_value() == (payload.size() == 8));
      if (value) PEERDROP_FUZZ_CHECK(channel::u64_payload(*value) == std::vector(payload.begin(), payload.end()));
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> rest(data, size);
  while (rest.size() >= channel::kFrameHeaderBytes) {
    const auto header = channel::parse_frame_header(rest.first<channel::kFrameHeaderBytes>());
    const auto length = core::get_big_endian<std::uint32_t>(rest, 0);
    if (!header) {
      // The reader closes the channel: a length of 0, or over the limit.
      PEERDROP_FUZZ_CHECK(length == 0 || length - 1 > channel::kMaxFramePayloadBytes);
      return 0;
    }
    PEERDROP_FUZZ_CHECK(header->payload_bytes == length - 1 && header->payload_bytes <= channel::kMaxFramePayloadBytes);
    rest = rest.subspan(channel::kFrameHeaderBytes);
    if (rest.size() < header->payload_bytes) return 0;  // the reader waits for the rest
    const auto payload = rest.first(header->payload_bytes);
    rest = rest.subspan(header->payload_bytes);
    if (!channel::is_known_type(header->type)) continue;  // skipped: a later version's frame
    // What is read is what was framed.
    PEERDROP_FUZZ_CHECK(channel::make_frame(header->type, payload).size() == channel::kFrameHeaderBytes + payload.size());
    check_payload(header->type, payload);
  }
  return 0;
}
