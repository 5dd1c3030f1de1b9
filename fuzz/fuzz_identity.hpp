#pragma once

#include "identity/identity.hpp"

namespace peerdrop::fuzz {

// The fuzzer's own key, made once: it re-signs decoded packets and envelopes
// and owns the peer tables the inputs are fed to.
inline const identity::Identity& fuzz_identity() {
  static const auto identity = identity::Identity::generate();
  return identity;
}

}  // namespace peerdrop::fuzz
