// Fuzzes the STUN Binding request parser (docs/protocol.md, "STUN"): every
// datagram on the discovery port that looks like STUN goes through it.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_check.hpp"
#include "stun/stun_message.hpp"

using peerdrop::stun::StunMessage;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> packet(data, size);
  const auto id = StunMessage::parse_binding_request(packet);
  if (!id) return 0;
  // Only a well-framed Binding request with the magic cookie is accepted.
  PEERDROP_FUZZ_CHECK(StunMessage::looks_like_stun(packet));
  PEERDROP_FUZZ_CHECK(size <= StunMessage::kMaxSize && size >= StunMessage::kHeaderSize && size % 4 == 0);
  PEERDROP_FUZZ_CHECK(packet[0] == 0x00 && packet[1] == 0x01);
  PEERDROP_FUZZ_CHECK(std::equal(id->begin(), id->end(), packet.begin() + 8));
  // The answer to it is a well-formed success response for the same transaction.
  const std::uint8_t v4[4] = {198, 51, 100, 7};
  const auto response = StunMessage::binding_success(*id, v4, 40000);
  PEERDROP_FUZZ_CHECK(response.size() % 4 == 0 && ((response[2] << 8) | response[3]) + 20u == response.size());
  PEERDROP_FUZZ_CHECK(std::equal(id->begin(), id->end(), response.begin() + 8));
  return 0;
}
