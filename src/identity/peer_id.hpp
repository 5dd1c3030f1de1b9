#pragma once

#include <string>
#include <string_view>

#include "identity/identity.hpp"

namespace peerdrop::identity {

// id = base32(SHA-256(public key)), 52 characters (docs/protocol.md).
std::string derive_peer_id(const PublicKey& key);

// True for a string that has the shape of a peer id (52 base32 characters).
bool looks_like_peer_id(std::string_view text);

// The first 7 characters of a peer id, for log lines ("ABCDEFG").
std::string short_id(std::string_view id);

}  // namespace peerdrop::identity
