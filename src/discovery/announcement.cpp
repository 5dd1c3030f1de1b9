#include "discovery/announcement.hpp"

#include <array>
#include <cstring>

#include "core/big_endian.hpp"
#include "core/errc.hpp"
#include "core/utf8.hpp"

namespace peerdrop::discovery {
namespace {

constexpr std::array<std::uint8_t, 4> kMagic{'P', 'D', 'R', 'P'};
constexpr std::size_t kHeaderSize = 65;  // everything before the name
constexpr std::size_t kSignatureSize = 64;

using core::get_big_endian;
using core::put_big_endian;

}  // namespace

bool is_valid_name(std::string_view name) {
  if (name.empty() || name.size() > Announcement::kMaxNameBytes) return false;
  for (std::size_t i = 0; i < name.size();) {
    const auto code = core::decode_utf8(name, i);
    if (code.length == 0 || core::is_unsafe_in_name(code.value)) return false;
    i += code.length;
  }
  return true;
}

std::string sanitize_name(std::string_view name) {
  std::string out;
  for (std::size_t i = 0; i < name.size();) {
    const auto code = core::decode_utf8(name, i);
    if (code.length == 0) {
      ++i;
      continue;
    }
    if (out.size() + code.length > Announcement::kMaxNameBytes) break;
    if (core::is_unsafe_in_name(code.value)) {
      out.push_back(' ');
    } else {
      out.append(name.substr(i, code.length));
    }
    i += code.length;
  }
  return out.empty() ? std::string("peerdrop") : out;
}

std::vector<std::uint8_t> encode_announcement(const Announcement& a, const identity::Identity& signer) {
  std::vector<std::uint8_t> out;
  const std::string name = is_valid_name(a.name) ? a.name : sanitize_name(a.name);
  out.reserve(kHeaderSize + name.size() + kSignatureSize);
  out.insert(out.end(), kMagic.begin(), kMagic.end());
  put_big_endian<std::uint8_t>(out, a.version);
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
  if (packet[4] < Announcement::kOldestVersion || packet[4] > Announcement::kVersion) {
    return core::make_error_code(Errc::unsupported_version);
  }

  Announcement a;
  a.version = packet[4];
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
