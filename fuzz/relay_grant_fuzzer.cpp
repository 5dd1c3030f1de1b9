// Fuzzes the check of a `relay:grant` payload (docs/protocol.md, "Shared
// relays"): what a daemon believes about credentials another daemon sent it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/errc.hpp"
#include "fuzz_check.hpp"
#include "fuzz_identity.hpp"
#include "identity/peer_id.hpp"
#include "relay/relay_grant.hpp"
#include "settings/settings_parser.hpp"

namespace {

using peerdrop::relay::RelayGrant;

constexpr std::size_t kSealOverhead = peerdrop::identity::Identity::kSealOverhead;

// Everything an accepted grant holds is within the documented limits.
void check_accepted(const RelayGrant& grant) {
  if (grant.refused()) {
    PEERDROP_FUZZ_CHECK(grant.refusal.size() <= RelayGrant::kMaxRefusalBytes);
    for (const char c : grant.refusal)
      PEERDROP_FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
    PEERDROP_FUZZ_CHECK(grant.urls.empty() && grant.username.empty() && grant.sealed.empty() && grant.expires_ms == 0);
    return;
  }
  PEERDROP_FUZZ_CHECK(!grant.urls.empty() && grant.urls.size() <= RelayGrant::kMaxUrls);
  for (const auto& url : grant.urls) {
    PEERDROP_FUZZ_CHECK(url.size() <= RelayGrant::kMaxUrlBytes);
    PEERDROP_FUZZ_CHECK(url.starts_with("turn:") || url.starts_with("turns:"));
    PEERDROP_FUZZ_CHECK(peerdrop::settings::is_valid_ice_url(url));
  }
  PEERDROP_FUZZ_CHECK(!grant.username.empty() && grant.username.size() <= RelayGrant::kMaxUsernameBytes);
  const auto colon = grant.username.find(':');
  PEERDROP_FUZZ_CHECK(colon != std::string::npos && colon >= 1);
  for (std::size_t i = 0; i < colon; ++i) PEERDROP_FUZZ_CHECK(grant.username[i] >= '0' && grant.username[i] <= '9');
  PEERDROP_FUZZ_CHECK(peerdrop::identity::looks_like_peer_id(std::string_view(grant.username).substr(colon + 1)));
  PEERDROP_FUZZ_CHECK(grant.sealed.size() > kSealOverhead &&
                      grant.sealed.size() <= kSealOverhead + RelayGrant::kMaxCredentialBytes);
  PEERDROP_FUZZ_CHECK(grant.expires_ms > 0 && grant.expires_ms < (std::int64_t{1} << 53));
  // The daemon's own key opens nothing it did not get sealed to it (and never crashes trying).
  (void)peerdrop::fuzz::fuzz_identity().open_sealed(grant.sealed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  const auto result = peerdrop::relay::parse_relay_grant(payload);
  const auto again = peerdrop::relay::parse_relay_grant(payload);
  PEERDROP_FUZZ_CHECK(result.has_value() == again.has_value());
  if (!result) {
    PEERDROP_FUZZ_CHECK(result.error() == again.error());
    PEERDROP_FUZZ_CHECK(result.error().category() == peerdrop::core::category());
    if (size > RelayGrant::kMaxPayloadBytes) {
      PEERDROP_FUZZ_CHECK(result.error() == peerdrop::core::make_error_code(peerdrop::core::Errc::too_large));
    }
    return 0;
  }
  PEERDROP_FUZZ_CHECK(*result == *again);
  PEERDROP_FUZZ_CHECK(size <= RelayGrant::kMaxPayloadBytes);
  check_accepted(*result);
  // What the daemon would send for it reads back as the same grant.
  const auto encoded = peerdrop::relay::encode_relay_grant(*result);
  PEERDROP_FUZZ_CHECK(encoded.size() <= RelayGrant::kMaxPayloadBytes);
  const auto round_trip = peerdrop::relay::parse_relay_grant(encoded);
  PEERDROP_FUZZ_CHECK(round_trip && *round_trip == *result);
  return 0;
}
