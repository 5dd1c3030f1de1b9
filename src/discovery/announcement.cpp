#include "discovery/announcement.hpp"

#include <array>
#include <cstring>

#include "core/big_endian.hpp"
#include "core/errc.hpp"

namespace peerdrop::discovery {
namespace {

constexpr std::array<std::uint8_t, 4> kMagic{'P', 'D', 'R', 'P'};
constexpr std::size_t kHeaderSize = 65;  // everything before the name
constexpr std::size_t kSignatureSize = 64;

using core::get_big_endian;
using core::put_big_endian;

// Length of the UTF-8 sequence starting at s[i], or 0 if it is not valid there.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t length = 0;
  std::uint32_t min = 0;
  std::uint32_t code = 0;
  if (c < 0x80) return 1;
  if ((c & 0xe0) == 0xc0) {
    length = 2, min = 0x80, code = c & 0x1f;
  } else if ((c & 0xf0) == 0xe0) {
    length = 3, min = 0x800, code = c & 0x0f;
  } else if ((c & 0xf8) == 0xf0) {
    length = 4, min = 0x10000, code = c & 0x07;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xc0) != 0x80) return 0;
    code = (code << 6) | (cc & 0x3f);
  }
  if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return 0;
  return length;
}

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

// C1 controls (U+0080-U+009F, some terminals act on them) and the bidi
// overrides and isolates (U+202A-U+202E, U+2066-U+2069: they can make a
// name read as another).
bool is_forbidden_sequence(std::string_view s, std::size_t i, std::size_t length) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (length == 2) return b0 == 0xc2 && static_cast<unsigned char>(s[i + 1]) <= 0x9f;
  if (length == 3 && b0 == 0xe2) {
    const auto b1 = static_cast<unsigned char>(s[i + 1]);
    const auto b2 = static_cast<unsigned char>(s[i + 2]);
    return (b1 == 0x80 && b2 >= 0xaa && b2 <= 0xae) || (b1 == 0x81 && b2 >= 0xa6 && b2 <= 0xa9);
  }
  return false;
}

}  // namespace

bool is_valid_name(std::string_view name) {
  if (name.empty() || name.size() > Announcement::kMaxNameBytes) return false;
  for (std::size_t i = 0; i < name.size();) {
    const auto length = utf8_sequence_length(name, i);
    if (length == 0 || (length == 1 && is_control(static_cast<unsigned char>(name[i]))) ||
        is_forbidden_sequence(name, i, length)) {
      return false;
    }
    i += length;
  }
  return true;
}

std::string sanitize_name(std::string_view name) {
  std::string out;
  for (std::size_t i = 0; i < name.size();) {
    const auto length = utf8_sequence_length(name, i);
    if (length == 0) {
      ++i;
      continue;
    }
    if (out.size() + length > Announcement::kMaxNameBytes) break;
    if ((length == 1 && is_control(static_cast<unsigned char>(name[i]))) || is_forbidden_sequence(name, i, length)) {
      out.push_back(' ');
    } else {
      out.append(name.substr(i, length));
    }
    i += length;
  }
  return out.empty() ? std::string("peerdrop") : out;
}

std::vector<std::uint8_t> encode_announcement(const Announcement& a, const identity::Identity& signer) {
  std::vector<std::uint8_t> out;
  const std::string name = is_valid_name(a.name) ? a.name : sanitize_name(a.name);
  out.reserve(kHeaderSize + name.size() + kSignatureSize);
  out.insert(out.end(), kMagic.begin(), kMagic.end());
  put_big_endian<std::uint8_t>(out, Announcement::kVersion);
  put_big_endian<std::uint8_t>(out, static_cast<std::uint8_t>(a.kind));
  put_big_endian<std::uint16_t>(out, a.flags);
  put_big_endian<std::uint64_t>(out, a.instance);
  put_big_endian<std::uint64_t>(out, a.timestamp_ms);
  put_big_endian<std::uint32_t>(out, a.counter);
  put_big_endian<std::uint16_t>(out, a.http_port);
  put_big_endian<std::uint16_t>(out, a.discovery_port);
  out.insert(out.end(), a.public_key.begin(), a.public_key.end());
  put_big_endian<std::uint8_t>(out, static_cast<std::uint8_t>(name.size()));
  out.insert(out.end(), name.begin(), name.end());
  const auto signature = signer.sign(out);
  out.insert(out.end(), signature.begin(), signature.end());
  return out;
}

boost::system::result<Announcement> decode_announcement(std::span<const std::uint8_t> packet) {
  using core::Errc;
  if (packet.size() > Announcement::kMaxPacketSize) return core::make_error_code(Errc::too_large);
  if (packet.size() < kHeaderSize + 1 + kSignatureSize) return core::make_error_code(Errc::malformed);
  if (!std::equal(kMagic.begin(), kMagic.end(), packet.begin())) return core::make_error_code(Errc::malformed);
  if (packet[4] != Announcement::kVersion) return core::make_error_code(Errc::unsupported_version);

  Announcement a;
  const auto kind = packet[5];
  if (kind < 1 || kind > 5) return core::make_error_code(Errc::malformed);
  a.kind = static_cast<AnnouncementKind>(kind);
  a.flags = get_big_endian<std::uint16_t>(packet, 6);
  a.instance = get_big_endian<std::uint64_t>(packet, 8);
  a.timestamp_ms = get_big_endian<std::uint64_t>(packet, 16);
  a.counter = get_big_endian<std::uint32_t>(packet, 24);
  a.http_port = get_big_endian<std::uint16_t>(packet, 28);
  a.discovery_port = get_big_endian<std::uint16_t>(packet, 30);
  std::memcpy(a.public_key.data(), packet.data() + 32, a.public_key.size());
  const std::size_t name_length = packet[64];
  if (packet.size() != kHeaderSize + name_length + kSignatureSize) return core::make_error_code(Errc::malformed);
  a.name.assign(reinterpret_cast<const char*>(packet.data() + kHeaderSize), name_length);
  if (a.http_port == 0 || a.discovery_port == 0 || !is_valid_name(a.name)) {
    return core::make_error_code(Errc::malformed);
  }
  const auto signed_part = packet.first(kHeaderSize + name_length);
  const auto signature = packet.subspan(kHeaderSize + name_length).first<kSignatureSize>();
  if (!identity::Identity::verify(a.public_key, signed_part, signature)) {
    return core::make_error_code(Errc::bad_signature);
  }
  return a;
}

}  // namespace peerdrop::discovery
