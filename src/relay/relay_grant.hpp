#pragma once

#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace peerdrop::relay {

// The payload of a `relay:grant` envelope (docs/protocol.md, "Shared
// relays"): a daemon's answer to a peer's `relay:request`, either TURN
// credentials for its relay, the password sealed to the requester's key,
//   {"urls":["turn:198.51.100.12:3478?transport=udp",…],"username":"<expiry>:<requester id>",
//    "sealed":"<base64 of crypto_box_seal(password)>","expiresMs":<unix ms>}
// or a refusal: {"error":"off"} (its relay is not running).
struct RelayGrant {
  static constexpr std::size_t kMaxPayloadBytes = 4096;  // the whole JSON text
  static constexpr std::size_t kMaxUrls = 4;             // two addresses, UDP and TCP (RelayService::ice_server)
  static constexpr std::size_t kMaxUrlBytes = 256;       // the settings' limit
  static constexpr std::size_t kMaxUsernameBytes = 128;
  static constexpr std::size_t kMaxCredentialBytes = 128;  // the opened password (HMAC-SHA1 in base64: 28)
  static constexpr std::size_t kMaxRefusalBytes = 32;

  std::vector<std::string> urls;     // turn:/turns: URLs, 1 … kMaxUrls
  std::string username;              // "<expiry unix s>:<requester's peer id>"
  std::vector<std::uint8_t> sealed;  // crypto_box_seal of the password to the requester (identity::Identity::seal_to)
  std::int64_t expires_ms = 0;       // Unix ms: the credential's expiry
  std::string refusal;               // set ("off", …) when there is no grant; then everything else is empty

  bool refused() const { return !refusal.empty(); }
  bool operator==(const RelayGrant&) const = default;
};

// The JSON text of a grant, or of a refusal when `grant.refused()`.
std::string encode_relay_grant(const RelayGrant& grant);

// Parses a `relay:grant` payload from another daemon (untrusted); never
// throws. Checks the size, every field's presence, type and limits: `urls`
// 1 … 4 strings, each a turn:/turns: URL (settings::is_valid_ice_url);
// `username` 1 … 128 bytes, "<decimal expiry>:<peer id>"; `sealed` base64 of
// 1 … 128 bytes sealed (plus crypto_box_SEALBYTES); `expiresMs` an integer
// 1 … 2^53 − 1. `{"error":"…"}` (1 … 32 of [a-z0-9_]) is a refusal. Unknown
// fields are ignored. Errors: core::Errc::too_large (over kMaxPayloadBytes),
// malformed (anything else).
boost::system::result<RelayGrant> parse_relay_grant(std::string_view payload);

}  // namespace peerdrop::relay
