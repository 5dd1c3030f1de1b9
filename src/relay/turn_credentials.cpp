#include "relay/turn_credentials.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <array>
#include <stdexcept>

#include "core/base64.hpp"

namespace peerdrop::relay {

TurnCredential TurnCredentials::issue(std::string_view secret, std::string_view user) const {
  const auto now_s = clock_.unix_ms() / 1000;
  return derive(secret, now_s + ttl_.count(), user);
}

TurnCredential TurnCredentials::derive(std::string_view secret, std::int64_t expires_unix_s, std::string_view user) {
  TurnCredential out;
  out.username = std::to_string(expires_unix_s);
  if (!user.empty()) {
    out.username += ':';
    out.username += user;
  }
  out.password = hmac_sha1_base64(secret, out.username);
  out.expires_unix_s = expires_unix_s;
  return out;
}

std::string TurnCredentials::hmac_sha1_base64(std::string_view key, std::string_view message) {
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  // One-shot HMAC: no context to leak; OpenSSL copies the key into its own
  // (cleansed) buffer. HMAC-SHA1 cannot fail for these inputs short of memory exhaustion.
  if (!HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest.data(), &length)) {
    throw std::bad_alloc();
  }
  auto encoded = core::base64_encode(std::span<const std::uint8_t>(digest.data(), length));
  sodium_memzero(digest.data(), digest.size());
  return encoded;
}

}  // namespace peerdrop::relay
