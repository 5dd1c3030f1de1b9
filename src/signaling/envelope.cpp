#include "signaling/envelope.hpp"

#include <algorithm>
#include <array>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/value.hpp>
#include <cstring>

#include "core/big_endian.hpp"
#include "core/errc.hpp"
#include "identity/peer_id.hpp"

namespace peerdrop::signaling {
namespace {

using core::Errc;

constexpr std::array<std::uint8_t, 4> kMagic{'P', 'D', 'S', 'G'};
constexpr std::size_t kSenderIdSize = 52;
constexpr std::size_t kSignatureSize = 64;
// Offsets of the fixed fields (docs/protocol.md).
constexpr std::size_t kVersionAt = 4;
constexpr std::size_t kFlagsAt = 5;
constexpr std::size_t kReservedAt = 6;
constexpr std::size_t kSenderKeyAt = 8;
constexpr std::size_t kSenderIdAt = 40;
constexpr std::size_t kRecipientKeyAt = 92;
constexpr std::size_t kSequenceAt = 124;
constexpr std::size_t kFloorAt = 132;
constexpr std::size_t kCreatedAt = 140;
constexpr std::size_t kTtlAt = 148;
constexpr std::size_t kTypeLengthAt = 152;
constexpr std::size_t kTypeAt = 153;
// Everything but the type and the payload: 153 + 4 (payload length) + 64 (signature).
constexpr std::size_t kFixedSize = kTypeAt + 4 + kSignatureSize;
constexpr std::size_t kFrameHeaderSize = 4;
constexpr int kMaxJsonDepth = 32;

using core::get_big_endian;
using core::put_big_endian;

bool is_type_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == ':' || c == '.' || c == '-';
}

// What the protocol requires of the fields themselves, in the receiver's
// order (type, ttl, payload), then the constraints the layout table states.
boost::system::error_code check_content(const Envelope& e) {
  if (!is_valid_type(e.type)) return Errc::malformed;
  if (e.ttl_ms == 0 || e.ttl_ms > Envelope::kMaxTtlMs) return Errc::malformed;
  if (e.payload.size() > Envelope::kMaxPayloadBytes) return Errc::too_large;
  if (!is_valid_payload(e.payload)) return Errc::malformed;
  if ((e.flags & ~Envelope::kFlagCannotReachYou) != 0) return Errc::malformed;
  if (e.sequence == 0 || e.floor == 0 || e.floor > e.sequence) return Errc::malformed;
  return {};
}

}  // namespace

bool is_valid_type(std::string_view type) {
  return !type.empty() && type.size() <= Envelope::kMaxTypeBytes && std::all_of(type.begin(), type.end(), is_type_char);
}

bool is_daemon_type(std::string_view type) { return type.starts_with("relay:") || type.starts_with("msg:"); }

bool is_valid_payload(std::string_view payload) {
  if (payload.size() > Envelope::kMaxPayloadBytes) return false;
  // Only the shape matters here: the DOM lives in one arena freed at once.
  boost::json::monotonic_resource arena;
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::system::error_code ec;
  const auto json = boost::json::parse(payload, ec, &arena, options);
  return !ec && json.is_object();
}

boost::system::result<std::vector<std::uint8_t>> encode_envelope(const Envelope& e, const identity::Identity& signer) {
  if (const auto ec = check_content(e)) return ec;
  std::vector<std::uint8_t> out;
  out.reserve(kFixedSize + e.type.size() + e.payload.size());
  out.insert(out.end(), kMagic.begin(), kMagic.end());
  put_big_endian<std::uint8_t>(out, Envelope::kVersion);
  put_big_endian<std::uint8_t>(out, e.flags);
  put_big_endian<std::uint16_t>(out, 0);  // reserved
  out.insert(out.end(), signer.public_key().begin(), signer.public_key().end());
  out.insert(out.end(), signer.peer_id().begin(), signer.peer_id().end());
  out.insert(out.end(), e.recipient_key.begin(), e.recipient_key.end());
  put_big_endian<std::uint64_t>(out, e.sequence);
  put_big_endian<std::uint64_t>(out, e.floor);
  put_big_endian<std::uint64_t>(out, e.created_ms);
  put_big_endian<std::uint32_t>(out, e.ttl_ms);
  put_big_endian<std::uint8_t>(out, static_cast<std::uint8_t>(e.type.size()));
  out.insert(out.end(), e.type.begin(), e.type.end());
  put_big_endian<std::uint32_t>(out, static_cast<std::uint32_t>(e.payload.size()));
  out.insert(out.end(), e.payload.begin(), e.payload.end());
  const auto signature = signer.sign(out);
  out.insert(out.end(), signature.begin(), signature.end());
  return out;
}

boost::system::result<Envelope> decode_envelope(std::span<const std::uint8_t> bytes) { return decode_envelope(bytes, {}); }

boost::system::result<Envelope> decode_envelope(std::span<const std::uint8_t> bytes, std::string_view sender_id) {
  if (bytes.size() > Envelope::kMaxSize) return core::make_error_code(Errc::too_large);
  if (bytes.size() <= kVersionAt || !std::equal(kMagic.begin(), kMagic.end(), bytes.begin())) {
    return core::make_error_code(Errc::malformed);
  }
  if (bytes[kVersionAt] != Envelope::kVersion) return core::make_error_code(Errc::unsupported_version);

  // Lengths: the type length is read first, so a type of up to 255 bytes is
  // only refused after the whole envelope was found to be exactly as long as it says.
  if (bytes.size() < kFixedSize) return core::make_error_code(Errc::malformed);
  const std::size_t type_length = bytes[kTypeLengthAt];
  const std::size_t payload_length_at = kTypeAt + type_length;
  if (bytes.size() < payload_length_at + 4) return core::make_error_code(Errc::malformed);
  const std::size_t payload_length = get_big_endian<std::uint32_t>(bytes, payload_length_at);
  if (bytes.size() != kFixedSize + type_length + payload_length) return core::make_error_code(Errc::malformed);

  Envelope e;
  e.flags = bytes[kFlagsAt];
  std::memcpy(e.sender_key.data(), bytes.data() + kSenderKeyAt, e.sender_key.size());
  e.sender_id.assign(reinterpret_cast<const char*>(bytes.data() + kSenderIdAt), kSenderIdSize);
  std::memcpy(e.recipient_key.data(), bytes.data() + kRecipientKeyAt, e.recipient_key.size());
  e.sequence = get_big_endian<std::uint64_t>(bytes, kSequenceAt);
  e.floor = get_big_endian<std::uint64_t>(bytes, kFloorAt);
  e.created_ms = get_big_endian<std::uint64_t>(bytes, kCreatedAt);
  e.ttl_ms = get_big_endian<std::uint32_t>(bytes, kTtlAt);
  e.type.assign(reinterpret_cast<const char*>(bytes.data() + kTypeAt), type_length);
  e.payload.assign(reinterpret_cast<const char*>(bytes.data() + payload_length_at + 4), payload_length);

  if (const auto ec = check_content(e)) return ec;
  if (get_big_endian<std::uint16_t>(bytes, kReservedAt) != 0 || !identity::looks_like_peer_id(e.sender_id)) {
    return core::make_error_code(Errc::malformed);
  }
  if (!sender_id.empty() && (e.sender_id != sender_id || identity::derive_peer_id(e.sender_key) != sender_id)) {
    return core::make_error_code(Errc::malformed);
  }

  const auto signed_size = bytes.size() - kSignatureSize;
  const auto signature = bytes.subspan(signed_size).first<kSignatureSize>();
  if (!identity::Identity::verify(e.sender_key, bytes.first(signed_size), signature)) {
    return core::make_error_code(Errc::bad_signature);
  }
  return e;
}

boost::system::result<void> check_envelope(const Envelope& e, const identity::PublicKey& own_key, std::int64_t now_ms) {
  if (e.recipient_key != own_key) return core::make_error_code(Errc::not_for_us);
  if (identity::derive_peer_id(e.sender_key) != e.sender_id) return core::make_error_code(Errc::key_changed);
  // Unsigned, so no sum can overflow: a created time ahead of ours has not expired.
  const auto allowance = static_cast<std::uint64_t>(e.ttl_ms) + static_cast<std::uint64_t>(Envelope::kClockSkewMs);
  if (now_ms >= 0) {
    const auto now = static_cast<std::uint64_t>(now_ms);
    if (now > e.created_ms && now - e.created_ms > allowance) return core::make_error_code(Errc::expired);
  }
  return {};
}

std::vector<std::uint8_t> frame_envelopes(const std::vector<std::vector<std::uint8_t>>& envelopes) {
  std::size_t total = 0;
  for (const auto& envelope : envelopes) total += kFrameHeaderSize + envelope.size();
  std::vector<std::uint8_t> out;
  out.reserve(total);
  for (const auto& envelope : envelopes) {
    put_big_endian<std::uint32_t>(out, static_cast<std::uint32_t>(envelope.size()));
    out.insert(out.end(), envelope.begin(), envelope.end());
  }
  return out;
}

boost::system::result<std::vector<std::span<const std::uint8_t>>> split_frames(std::span<const std::uint8_t> body,
                                                                               std::size_t max_frames) {
  std::vector<std::span<const std::uint8_t>> frames;
  std::size_t at = 0;
  while (at < body.size()) {
    if (frames.size() == max_frames) return core::make_error_code(Errc::too_large);
    if (body.size() - at < kFrameHeaderSize) return core::make_error_code(Errc::malformed);
    const std::size_t length = get_big_endian<std::uint32_t>(body, at);
    at += kFrameHeaderSize;
    if (length == 0) return core::make_error_code(Errc::malformed);
    if (length > Envelope::kMaxSize) return core::make_error_code(Errc::too_large);
    if (body.size() - at < length) return core::make_error_code(Errc::malformed);
    frames.push_back(body.subspan(at, length));
    at += length;
  }
  return frames;
}

}  // namespace peerdrop::signaling
