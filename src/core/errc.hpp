#pragma once

#include <boost/system/error_code.hpp>
#include <type_traits>

namespace peerdrop::core {

// Every failure the daemon reports by value has a name here.
enum class Errc {
  ok = 0,
  malformed = 1,         // input does not follow the documented format
  too_large,             // input over its size limit
  unsupported_version,   // a version this daemon does not speak
  bad_signature,         // Ed25519 signature does not verify
  own_packet,            // our own announcement came back
  duplicate_identity,    // another daemon uses our identity (copied data dir)
  replayed,              // an old packet was sent again
  duplicate,             // the same packet arrived twice (broadcast and multicast)
  table_full,            // the peer table is at its size limit
  timeout,               // the other side did not answer in time
  not_peerdrop,          // something answered, but not as a PeerDrop daemon
  identity_mismatch,     // an answer's id does not match its signed key
  not_for_us,            // a signaling envelope addressed to another daemon's key
  key_changed,           // a sender's claimed id is not derived from its key (the peer's key changed)
  expired,               // a signaling envelope outlived its ttl (beyond the clock skew allowance)
  queue_full,            // the signaling outbox is at a per-peer or global cap; nothing was queued
  unknown_peer,          // no peer with that id is known
  rate_limited,          // the other daemon asked us to slow down (HTTP 429)
  storage_failed,        // the database refused a write; nothing was changed
};

const boost::system::error_category& category() noexcept;

inline boost::system::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), category()};
}

}  // namespace peerdrop::core

template <>
struct boost::system::is_error_code_enum<peerdrop::core::Errc> : std::true_type {};
