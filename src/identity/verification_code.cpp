#include "identity/verification_code.hpp"

#include <sodium.h>

#include <array>
#include <cstdint>
#include <string_view>

#include "identity/peer_id.hpp"

namespace peerdrop::identity {

namespace {

// Domain separation: no other hash PeerDrop makes starts with these bytes.
constexpr std::string_view kLabel = "PeerDrop verification code v1";
constexpr std::uint64_t kCodes = 1'000'000;

}  // namespace

std::string verification_code(const PublicKey& a, const PublicKey& b) {
  const bool a_first = derive_peer_id(a) <= derive_peer_id(b);
  const PublicKey& first = a_first ? a : b;
  const PublicKey& second = a_first ? b : a;
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(kLabel.data()), kLabel.size());
  crypto_hash_sha256_update(&state, first.data(), first.size());
  crypto_hash_sha256_update(&state, second.data(), second.size());
  std::array<std::uint8_t, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256_final(&state, digest.data());
  std::uint64_t number = 0;
  for (std::size_t i = 0; i < 8; ++i) number = (number << 8) | digest[i];
  auto code = std::to_string(number % kCodes);
  return std::string(6 - code.size(), '0') + code;
}

}  // namespace peerdrop::identity
