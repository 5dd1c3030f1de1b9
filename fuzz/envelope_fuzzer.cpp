// Fuzzes the signaling envelope decoder (docs/protocol.md, "Signaling
// envelope"): every input as one envelope, and as an HTTP body of framed
// envelopes; the receiver's stateful checks on every envelope that decodes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include "core/errc.hpp"
#include "core/big_endian.hpp"
#include "fuzz_check.hpp"
#include "fuzz_identity.hpp"
#include "identity/identity.hpp"
#include "identity/peer_id.hpp"
#include "signaling/envelope.hpp"

namespace {

using peerdrop::core::Errc;
using peerdrop::core::make_error_code;
using peerdrop::signaling::Envelope;
using Bytes = std::vector<std::uint8_t>;

constexpr std::size_t kFixedSize = 221;  // everything but the type and the payload
constexpr std::size_t kSignatureSize = 64;
constexpr std::size_t kMaxFrames = 64;

using peerdrop::core::get_big_endian;

using peerdrop::fuzz::fuzz_identity;

// A decoded envelope says exactly what the documented layout says.
void check_layout(std::span<const std::uint8_t> bytes, const Envelope& e) {
  const auto t = e.type.size();
  const auto p = e.payload.size();
  PEERDROP_FUZZ_CHECK(bytes.size() == kFixedSize + t + p && bytes.size() <= Envelope::kMaxSize);
  PEERDROP_FUZZ_CHECK(std::string_view(reinterpret_cast<const char*>(bytes.data()), 4) == "PDSG");
  PEERDROP_FUZZ_CHECK(bytes[4] == Envelope::kVersion);
  PEERDROP_FUZZ_CHECK(e.flags == bytes[5] && (e.flags & ~Envelope::kFlagCannotReachYou) == 0);
  PEERDROP_FUZZ_CHECK(get_big_endian<std::uint16_t>(bytes, 6) == 0);
  PEERDROP_FUZZ_CHECK(std::equal(e.sender_key.begin(), e.sender_key.end(), bytes.begin() + 8));
  PEERDROP_FUZZ_CHECK(e.sender_id == std::string_view(reinterpret_cast<const char*>(bytes.data()) + 40, 52));
  PEERDROP_FUZZ_CHECK(peerdrop::identity::looks_like_peer_id(e.sender_id));
  PEERDROP_FUZZ_CHECK(std::equal(e.recipient_key.begin(), e.recipient_key.end(), bytes.begin() + 92));
  PEERDROP_FUZZ_CHECK(e.sequence == get_big_endian<std::uint64_t>(bytes, 124) && e.sequence >= 1);
  PEERDROP_FUZZ_CHECK(e.floor == get_big_endian<std::uint64_t>(bytes, 132) && e.floor >= 1 && e.floor <= e.sequence);
  PEERDROP_FUZZ_CHECK(e.created_ms == get_big_endian<std::uint64_t>(bytes, 140));
  PEERDROP_FUZZ_CHECK(e.ttl_ms == get_big_endian<std::uint32_t>(bytes, 148));
  PEERDROP_FUZZ_CHECK(e.ttl_ms >= 1 && e.ttl_ms <= Envelope::kMaxTtlMs);
  PEERDROP_FUZZ_CHECK(bytes[152] == t && peerdrop::signaling::is_valid_type(e.type));
  PEERDROP_FUZZ_CHECK(e.type == std::string_view(reinterpret_cast<const char*>(bytes.data()) + 153, t));
  PEERDROP_FUZZ_CHECK(get_big_endian<std::uint32_t>(bytes, 153 + t) == p && p <= Envelope::kMaxPayloadBytes);
  PEERDROP_FUZZ_CHECK(e.payload == std::string_view(reinterpret_cast<const char*>(bytes.data()) + 157 + t, p));
  PEERDROP_FUZZ_CHECK(peerdrop::signaling::is_valid_payload(e.payload));
  PEERDROP_FUZZ_CHECK(peerdrop::identity::Identity::verify(e.sender_key, bytes.first(bytes.size() - kSignatureSize),
                                                           bytes.last<kSignatureSize>()));
}

// We cannot re-sign with the sender's key, but signed with ours the envelope
// must come out byte for byte the same outside the sender and the signature.
void check_reencoding(std::span<const std::uint8_t> bytes, Envelope e) {
  const auto encoded = peerdrop::signaling::encode_envelope(e, fuzz_identity());
  PEERDROP_FUZZ_CHECK(encoded && encoded->size() == bytes.size());
  PEERDROP_FUZZ_CHECK(std::equal(bytes.begin(), bytes.begin() + 8, encoded->begin()));
  PEERDROP_FUZZ_CHECK(std::equal(bytes.begin() + 92, bytes.end() - kSignatureSize, encoded->begin() + 92));
  e.sender_key = fuzz_identity().public_key();
  e.sender_id = fuzz_identity().peer_id();
  const auto decoded = peerdrop::signaling::decode_envelope(*encoded);
  PEERDROP_FUZZ_CHECK(decoded && *decoded == e);
}

// The receiver's stateful checks, in the protocol's order.
void check_receiver(const Envelope& e) {
  using peerdrop::signaling::check_envelope;
  const bool id_matches = peerdrop::identity::derive_peer_id(e.sender_key) == e.sender_id;
  const auto own = e.recipient_key;
  constexpr auto kMaxNow = std::numeric_limits<std::int64_t>::max();
  // At its creation time (or as late as we can say, when created is beyond int64).
  const auto created = static_cast<std::int64_t>(std::min<std::uint64_t>(e.created_ms, kMaxNow));
  const auto in_time = check_envelope(e, own, created);
  PEERDROP_FUZZ_CHECK(id_matches ? in_time.has_value() : in_time.error() == make_error_code(Errc::key_changed));

  auto other = own;
  other[0] ^= 0x01;
  const auto elsewhere = check_envelope(e, other, created);
  PEERDROP_FUZZ_CHECK(!elsewhere && elsewhere.error() == make_error_code(Errc::not_for_us));

  const std::uint64_t last_good = e.created_ms + e.ttl_ms + static_cast<std::uint64_t>(Envelope::kClockSkewMs);
  if (e.created_ms <= static_cast<std::uint64_t>(kMaxNow) - e.ttl_ms - Envelope::kClockSkewMs - 1) {
    const auto edge = check_envelope(e, own, static_cast<std::int64_t>(last_good));
    PEERDROP_FUZZ_CHECK(edge.has_value() == id_matches);
    const auto late = check_envelope(e, own, static_cast<std::int64_t>(last_good + 1));
    PEERDROP_FUZZ_CHECK(!late);
    PEERDROP_FUZZ_CHECK(late.error() == make_error_code(id_matches ? Errc::expired : Errc::key_changed));
  }
  // Whatever the clock says, an envelope is never accepted for another recipient.
  PEERDROP_FUZZ_CHECK(!check_envelope(e, other, kMaxNow) && !check_envelope(e, other, -1));
}

void check_one(std::span<const std::uint8_t> bytes) {
  const auto decoded = peerdrop::signaling::decode_envelope(bytes);
  const auto again = peerdrop::signaling::decode_envelope(bytes);
  PEERDROP_FUZZ_CHECK(decoded.has_value() == again.has_value());
  if (!decoded) {
    PEERDROP_FUZZ_CHECK(decoded.error() == again.error());
    PEERDROP_FUZZ_CHECK(decoded.error().category() == peerdrop::core::category());
    if (bytes.size() > Envelope::kMaxSize) PEERDROP_FUZZ_CHECK(decoded.error() == make_error_code(Errc::too_large));
    return;
  }
  PEERDROP_FUZZ_CHECK(*decoded == *again);
  check_layout(bytes, *decoded);
  check_reencoding(bytes, *decoded);
  check_receiver(*decoded);
}

// Frames are contiguous views that cover the body exactly, and framing them again gives the body back.
void check_frames(std::span<const std::uint8_t> body, const std::vector<std::span<const std::uint8_t>>& frames) {
  PEERDROP_FUZZ_CHECK(frames.size() <= kMaxFrames);
  std::size_t at = 0;
  std::vector<Bytes> copies;
  for (const auto& frame : frames) {
    PEERDROP_FUZZ_CHECK(!frame.empty() && frame.size() <= Envelope::kMaxSize);
    PEERDROP_FUZZ_CHECK(get_big_endian<std::uint32_t>(body, at) == frame.size());
    PEERDROP_FUZZ_CHECK(frame.data() == body.data() + at + 4);
    at += 4 + frame.size();
    copies.emplace_back(frame.begin(), frame.end());
  }
  PEERDROP_FUZZ_CHECK(at == body.size());
  const auto reframed = peerdrop::signaling::frame_envelopes(copies);
  PEERDROP_FUZZ_CHECK(std::equal(reframed.begin(), reframed.end(), body.begin(), body.end()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  check_one(input);

  const auto frames = peerdrop::signaling::split_frames(input, kMaxFrames);
  if (!frames) {
    PEERDROP_FUZZ_CHECK(frames.error() == make_error_code(Errc::malformed) ||
                        frames.error() == make_error_code(Errc::too_large));
    return 0;
  }
  check_frames(input, *frames);
  for (const auto& frame : *frames) check_one(frame);
  return 0;
}
