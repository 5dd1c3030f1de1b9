#include "identity/peer_id.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>

#include "core/base32.hpp"

namespace peerdrop::identity {

std::string derive_peer_id(const PublicKey& key) {
  std::array<std::uint8_t, crypto_hash_sha256_BYTES> hash{};
  crypto_hash_sha256(hash.data(), key.data(), key.size());
  return core::base32_encode(hash);
}

bool looks_like_peer_id(std::string_view text) {
  return text.size() == 52 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7');
         });
}

std::string short_id(std::string_view id) { return std::string(id.substr(0, 7)); }

}  // namespace peerdrop::identity
