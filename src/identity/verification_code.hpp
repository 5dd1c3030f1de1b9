#pragma once

#include <string>

#include "identity/identity.hpp"

namespace peerdrop::identity {

// The 6-digit code two people compare to check that each daemon holds the
// other's real key, as KDE Connect shows one (docs/protocol.md,
// "Verification code"). Both sides compute the same code, whichever key is
// `a`: SHA-256 over a fixed label and the two keys in the order of their
// peer ids; its first 8 bytes (big-endian) modulo 1,000,000, with leading zeros.
std::string verification_code(const PublicKey& a, const PublicKey& b);

}  // namespace peerdrop::identity
