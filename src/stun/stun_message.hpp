#pragma once

#include <array>
#include <boost/system/result.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace peerdrop::stun {

using TransactionId = std::array<std::uint8_t, 12>;

// The one STUN exchange PeerDrop serves (RFC 8489, formerly 5389): a Binding
// request, answered with the requester's address as XOR-MAPPED-ADDRESS so that
// a browser learns a server-reflexive candidate with its real address.
struct StunMessage {
  static constexpr std::uint32_t kMagicCookie = 0x2112A442;
  static constexpr std::size_t kHeaderSize = 20;
  static constexpr std::size_t kMaxSize = 548;  // a request bigger than this is not a plain Binding request

  // True if `packet` looks like STUN at all (two zero bits, magic cookie):
  // how the discovery socket tells STUN from announcements.
  static bool looks_like_stun(std::span<const std::uint8_t> packet);

  // Validates a Binding request (header, length, attribute framing, and
  // FINGERPRINT if present); returns its transaction id. Never throws.
  static boost::system::result<TransactionId> parse_binding_request(std::span<const std::uint8_t> packet);

  // A Binding success response with XOR-MAPPED-ADDRESS (IPv4 or IPv6 bytes
  // in network order), SOFTWARE and FINGERPRINT.
  static std::vector<std::uint8_t> binding_success(const TransactionId& id, std::span<const std::uint8_t> address,
                                                   std::uint16_t port);
};

}  // namespace peerdrop::stun
