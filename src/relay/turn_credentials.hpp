#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace peerdrop::relay {

// One short-lived TURN credential, as an RTCIceServer carries it.
struct TurnCredential {
  std::string username;            // "<expiry unix seconds>:<user>"
  std::string password;            // base64(HMAC-SHA1(secret, username))
  std::int64_t expires_unix_s = 0;

  bool operator==(const TurnCredential&) const = default;
};

// Issues TURN REST API credentials (draft-uberti-behave-turn-rest, as
// coturn's `use-auth-secret` checks them): the username is the expiry time in
// Unix seconds and a user id, the password base64(HMAC-SHA1(shared secret,
// username)). coturn refuses a username whose time has passed, on every
// request that needs authentication (allocations, refreshes, permissions), so
// a relayed session lasts at most `ttl` without fresh credentials.
// The secret is only read, never stored here, logged or returned.
class TurnCredentials {
 public:
  static constexpr std::chrono::seconds kDefaultTtl = std::chrono::hours(24);
  static constexpr std::chrono::seconds kMinTtl = std::chrono::minutes(1);
  static constexpr std::chrono::seconds kMaxTtl = std::chrono::hours(7 * 24);

  explicit TurnCredentials(const core::Clock& clock, std::chrono::seconds ttl = kDefaultTtl)
      : clock_(clock), ttl_(ttl) {}

  // A credential for `user` (a peer id) valid for the ttl from the clock's wall time.
  TurnCredential issue(std::string_view secret, std::string_view user) const;
  std::chrono::seconds ttl() const { return ttl_; }

  // The credential for an explicit expiry (pure: the known-answer tests use it).
  static TurnCredential derive(std::string_view secret, std::int64_t expires_unix_s, std::string_view user);
  // base64(HMAC-SHA1(key, message)) with OpenSSL.
  static std::string hmac_sha1_base64(std::string_view key, std::string_view message);

 private:
  const core::Clock& clock_;
  std::chrono::seconds ttl_;
};

}  // namespace peerdrop::relay
