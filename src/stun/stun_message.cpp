#include "stun/stun_message.hpp"

#include <boost/crc.hpp>
#include <cstring>
#include <string_view>

#include "core/big_endian.hpp"
#include "core/errc.hpp"

namespace peerdrop::stun {
namespace {

constexpr std::uint16_t kBindingRequest = 0x0001;
constexpr std::uint16_t kBindingSuccess = 0x0101;
constexpr std::uint16_t kXorMappedAddress = 0x0020;
constexpr std::uint16_t kSoftware = 0x8022;
constexpr std::uint16_t kFingerprint = 0x8028;
constexpr std::uint32_t kFingerprintXor = 0x5354554e;

std::uint16_t get16(std::span<const std::uint8_t> p, std::size_t at) { return core::get_big_endian<std::uint16_t>(p, at); }
std::uint32_t get32(std::span<const std::uint8_t> p, std::size_t at) { return core::get_big_endian<std::uint32_t>(p, at); }
void put16(std::vector<std::uint8_t>& out, std::uint16_t v) { core::put_big_endian(out, v); }
void put32(std::vector<std::uint8_t>& out, std::uint32_t v) { core::put_big_endian(out, v); }
std::uint32_t crc32(std::span<const std::uint8_t> bytes) {
  boost::crc_32_type crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}
void set_length(std::vector<std::uint8_t>& out) {
  const auto length = static_cast<std::uint16_t>(out.size() - StunMessage::kHeaderSize);
  out[2] = static_cast<std::uint8_t>(length >> 8);
  out[3] = static_cast<std::uint8_t>(length);
}

}  // namespace

bool StunMessage::looks_like_stun(std::span<const std::uint8_t> packet) {
  return packet.size() >= kHeaderSize && (packet[0] & 0xc0) == 0 && get32(packet, 4) == kMagicCookie;
}

boost::system::result<TransactionId> StunMessage::parse_binding_request(std::span<const std::uint8_t> packet) {
  using core::Errc;
  if (packet.size() > kMaxSize) return core::make_error_code(Errc::too_large);
  if (!looks_like_stun(packet)) return core::make_error_code(Errc::malformed);
  const std::size_t length = get16(packet, 2);
  if (length % 4 != 0 || kHeaderSize + length != packet.size()) return core::make_error_code(Errc::malformed);
  if (get16(packet, 0) != kBindingRequest) return core::make_error_code(Errc::malformed);
  // Walk the attributes: each must fit; FINGERPRINT, if present, must be last and right.
  std::size_t at = kHeaderSize;
  while (at < packet.size()) {
    if (at + 4 > packet.size()) return core::make_error_code(Errc::malformed);
    const auto type = get16(packet, at);
    const std::size_t value_length = get16(packet, at + 2);
    const std::size_t padded = (value_length + 3) & ~std::size_t{3};
    if (at + 4 + padded > packet.size()) return core::make_error_code(Errc::malformed);
    if (type == kFingerprint) {
      if (value_length != 4 || at + 8 != packet.size()) return core::make_error_code(Errc::malformed);
      if ((crc32(packet.first(at)) ^ kFingerprintXor) != get32(packet, at + 4)) {
        return core::make_error_code(Errc::bad_signature);
      }
    }
    at += 4 + padded;
  }
  TransactionId id{};
  std::memcpy(id.data(), packet.data() + 8, id.size());
  return id;
}

std::vector<std::uint8_t> StunMessage::binding_success(const TransactionId& id, std::span<const std::uint8_t> address,
                                                       std::uint16_t port) {
  std::vector<std::uint8_t> out;
  out.reserve(80);
  put16(out, kBindingSuccess);
  put16(out, 0);  // length, set below
  put32(out, kMagicCookie);
  out.insert(out.end(), id.begin(), id.end());

  // XOR-MAPPED-ADDRESS: the port XORed with the cookie's top half, the
  // address with the cookie (and for IPv6 also the transaction id).
  const bool v6 = address.size() == 16;
  put16(out, kXorMappedAddress);
  put16(out, v6 ? 20 : 8);
  out.push_back(0);
  out.push_back(v6 ? 0x02 : 0x01);
  put16(out, static_cast<std::uint16_t>(port ^ (kMagicCookie >> 16)));
  std::array<std::uint8_t, 16> mask{};
  for (int i = 0; i < 4; ++i) mask[i] = static_cast<std::uint8_t>(kMagicCookie >> (24 - 8 * i));
  std::memcpy(mask.data() + 4, id.data(), id.size());
  for (std::size_t i = 0; i < address.size(); ++i) out.push_back(address[i] ^ mask[i]);

  constexpr std::string_view kName = "peerdropd";
  put16(out, kSoftware);
  put16(out, static_cast<std::uint16_t>(kName.size()));
  out.insert(out.end(), kName.begin(), kName.end());
  while (out.size() % 4 != 0) out.push_back(0);

  // FINGERPRINT covers everything before it, with the length already counting it.
  out.resize(out.size() + 8);
  set_length(out);
  out.resize(out.size() - 8);
  const auto fingerprint = crc32(out) ^ kFingerprintXor;
  put16(out, kFingerprint);
  put16(out, 4);
  put32(out, fingerprint);
  return out;
}

}  // namespace peerdrop::stun
