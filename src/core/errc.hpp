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
  absolute_path,         // a sender's file path is absolute (leading '/' or '\\', a drive letter)
  path_traversal,        // a sender's file path has a '..' (or other dots-only) component
  empty_path,            // a sender's file path names no file
  path_too_deep,         // a sender's file path has more components than allowed
  path_too_long,         // a sender's file path is longer than allowed once sanitized
  out_of_order,          // file data starts past the end of the received prefix (a gap)
  size_mismatch,         // a received file's size differs from the announced size
  hash_mismatch,         // a received file's SHA-256 differs from the sender's
  disk_full,             // no space left (or over quota) in the download folder
  in_use,                // the partial file is already open for writing
  path_blocked,          // a file or a link is where a folder of the file's path should be
  name_taken,            // every numbered variant of a file's name is taken
  file_closed,           // the partial file was already finished or discarded
  unknown_handle,        // a UI tab named a file handle it has not opened (or that was closed)
  too_many_files,        // a UI tab has as many files open as it may
  unknown_transfer,      // no transfer (or waiting offer) with that id
  source_changed,        // a file being sent changed or vanished since it was offered
};

const boost::system::error_category& category() noexcept;

inline boost::system::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), category()};
}

}  // namespace peerdrop::core

template <>
struct boost::system::is_error_code_enum<peerdrop::core::Errc> : std::true_type {};
