#pragma once

#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "identity/identity.hpp"

namespace peerdrop::discovery {

// nudge: unicast to one peer: "I hold signaling messages for you and cannot
// push them: fetch them" (the one-way networks of docs/protocol.md).
enum class AnnouncementKind : std::uint8_t { announce = 1, reply = 2, goodbye = 3, probe = 4, nudge = 5 };

// One discovery packet (docs/protocol.md, "Discovery announcement"). The same
// signed packet travels by UDP and inside HTTP health answers and probes.
struct Announcement {
  static constexpr std::size_t kMaxPacketSize = 512;
  static constexpr std::size_t kMaxNameBytes = 64;
  // The daemon protocol version: 2 speaks the TLS daemon channel. Version 1
  // packets are still read, to list such a peer as outdated.
  static constexpr std::uint8_t kVersion = 2;
  static constexpr std::uint8_t kOldestVersion = 1;
  // Flag bits (docs/protocol.md): 0x0001 = the sender runs a TURN relay that is
  // running now (its coturn is up) and hands out credentials for it over the
  // signed channel (`relay:request`). Other bits are reserved: sent as 0, ignored.
  static constexpr std::uint16_t kFlagRelay = 0x0001;

  std::uint8_t version = kVersion;  // this daemon's own packets always carry kVersion
  AnnouncementKind kind = AnnouncementKind::announce;
  std::uint16_t flags = 0;
  std::uint64_t instance = 0;
  std::uint64_t timestamp_ms = 0;
  std::uint32_t counter = 0;
  std::uint16_t http_port = 0;
  std::uint16_t discovery_port = 0;
  identity::PublicKey public_key{};
  std::string name;

  bool offers_relay() const { return (flags & kFlagRelay) != 0; }
  bool operator==(const Announcement&) const = default;
};

// Serialises and signs with `signer`, whose public key must be `a.public_key`.
std::vector<std::uint8_t> encode_announcement(const Announcement& a, const identity::Identity& signer);

// Parses untrusted bytes and verifies the signature; never throws.
// Errors: core::Errc::too_large, malformed, unsupported_version, bad_signature.
boost::system::result<Announcement> decode_announcement(std::span<const std::uint8_t> packet);

// A display name that is valid UTF-8, 1..64 bytes, without control characters.
bool is_valid_name(std::string_view name);
// Cuts a name to the limit at a character boundary and replaces control characters.
std::string sanitize_name(std::string_view name);

}  // namespace peerdrop::discovery
