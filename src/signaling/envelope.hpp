#pragma once

#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "identity/identity.hpp"

namespace peerdrop::signaling {

// One signed signaling envelope (docs/protocol.md, "Signaling envelope"):
// everything one daemon carries to another for the UI travels in one.
struct Envelope {
  static constexpr std::uint8_t kVersion = 1;
  static constexpr std::size_t kMaxSize = 70'000;          // whole envelope, bytes
  static constexpr std::size_t kMaxPayloadBytes = 65'536;  // the JSON payload
  static constexpr std::size_t kMaxTypeBytes = 32;
  static constexpr std::uint32_t kMaxTtlMs = 600'000;
  static constexpr std::int64_t kClockSkewMs = 5 * 60 * 1000;  // how long past created + ttl is still accepted
  static constexpr std::uint8_t kFlagCannotReachYou = 0x01;    // the only flag version 1 defines

  std::uint8_t flags = 0;
  identity::PublicKey sender_key{};
  std::string sender_id;  // as claimed on the wire: check_envelope compares it with sender_key
  identity::PublicKey recipient_key{};
  std::uint64_t sequence = 0;    // per (sender, recipient), from 1
  std::uint64_t floor = 0;       // lowest sequence the sender still holds, 1 <= floor <= sequence
  std::uint64_t created_ms = 0;  // Unix ms, sender clock
  std::uint32_t ttl_ms = 0;      // 1 ... kMaxTtlMs
  std::string type;              // [a-z0-9_:.-]{1,32}
  std::string payload;           // a JSON object, at most kMaxPayloadBytes

  bool cannot_reach_you() const { return (flags & kFlagCannotReachYou) != 0; }
  bool operator==(const Envelope&) const = default;
};

// Serialises `e` and signs it with `signer`. The sender key and id on the wire
// are always the signer's: e.sender_key and e.sender_id are ignored. Refuses
// (core::Errc::malformed, or too_large for the payload) an envelope that
// decode_envelope would refuse for its content, so nothing invalid is sent.
boost::system::result<std::vector<std::uint8_t>> encode_envelope(const Envelope& e, const identity::Identity& signer);

// Parses untrusted bytes: every check of the protocol's receiver list that
// needs no state, in its order, ending with the signature. Never throws.
// Errors: core::Errc::too_large (over kMaxSize, or a payload over
// kMaxPayloadBytes), unsupported_version, malformed, bad_signature.
boost::system::result<Envelope> decode_envelope(std::span<const std::uint8_t> bytes);
// The same for an envelope from the peer a channel authenticated as
// `sender_id`: a sender key that is not that peer's is malformed, found
// before any signature is verified (the cheap check first).
boost::system::result<Envelope> decode_envelope(std::span<const std::uint8_t> bytes, std::string_view sender_id);

// The receiver's checks that need its own key and clock, for a decoded
// envelope, in the protocol's order. Errors: core::Errc::not_for_us (another
// recipient key), key_changed (the claimed sender id is not derived from the
// sender key), expired (created + ttl passed by more than kClockSkewMs).
boost::system::result<void> check_envelope(const Envelope& e, const identity::PublicKey& own_key, std::int64_t now_ms);

// A type as the protocol allows it: 1 to 32 characters of [a-z0-9_:.-].
bool is_valid_type(std::string_view type);
// Types the daemons exchange among themselves (`relay:request`, `relay:grant`,
// `msg:text`: everything starting with "relay:" or "msg:"): consumed by the
// receiving daemon, never delivered to a UI, and refused when a UI asks to send one.
bool is_daemon_type(std::string_view type);
// A payload as the protocol allows it: at most kMaxPayloadBytes of UTF-8 JSON
// whose top level is an object, nested at most 32 deep.
bool is_valid_payload(std::string_view payload);

// Several envelopes in one HTTP body: each as a 4-byte big-endian length and
// its bytes. Every envelope must be 1 ... Envelope::kMaxSize bytes (as
// encode_envelope makes them).
std::vector<std::uint8_t> frame_envelopes(const std::vector<std::vector<std::uint8_t>>& envelopes);

// Splits a body made by frame_envelopes into views of `body` (an empty body is
// no envelopes). Errors: core::Errc::malformed (a frame of length 0 or cut
// short), too_large (a frame over Envelope::kMaxSize, or more than max_frames).
boost::system::result<std::vector<std::span<const std::uint8_t>>> split_frames(std::span<const std::uint8_t> body,
                                                                               std::size_t max_frames);

}  // namespace peerdrop::signaling
