#include "relay/relay_grant.hpp"

#include <sodium.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/base64.hpp"
#include "core/errc.hpp"
#include "core/json_fields.hpp"
#include "core/limits.hpp"
#include "identity/peer_id.hpp"
#include "settings/settings_parser.hpp"

namespace peerdrop::relay {
namespace {

namespace json = boost::json;
using core::Errc;

bool is_refusal_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

bool is_turn_url(std::string_view url) {
  return url.size() <= RelayGrant::kMaxUrlBytes && (url.starts_with("turn:") || url.starts_with("turns:")) &&
         settings::is_valid_ice_url(url);
}

// "<expiry, 1 to 12 decimal digits>:<peer id>"
bool is_valid_username(std::string_view username) {
  if (username.empty() || username.size() > RelayGrant::kMaxUsernameBytes) return false;
  const auto colon = username.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 12) return false;
  const auto digits = username.substr(0, colon);
  return std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
         identity::looks_like_peer_id(username.substr(colon + 1));
}

}  // namespace

std::string encode_relay_grant(const RelayGrant& grant) {
  if (grant.refused()) return json::serialize(json::object{{"error", grant.refusal}});
  json::array urls;
  for (const auto& url : grant.urls) urls.emplace_back(url);
  return json::serialize(json::object{{"urls", std::move(urls)},
                                      {"username", grant.username},
                                      {"sealed", core::base64_encode(grant.sealed)},
                                      {"expiresMs", grant.expires_ms}});
}

boost::system::result<RelayGrant> parse_relay_grant(std::string_view payload) {
  if (payload.size() > RelayGrant::kMaxPayloadBytes) return core::make_error_code(Errc::too_large);
  // The DOM lives in one arena, freed at once; depth 3 is more than a grant needs (object, array, string).
  json::monotonic_resource arena;
  const auto value = core::parse_json(payload, 3, &arena);
  if (!value || !value->is_object()) return core::make_error_code(Errc::malformed);
  const auto& object = value->get_object();
  RelayGrant grant;

  if (object.contains("error")) {
    const auto* error = core::string_field(object, "error");
    if (!error) return core::make_error_code(Errc::malformed);
    const std::string_view text = *error;
    if (text.empty() || text.size() > RelayGrant::kMaxRefusalBytes ||
        !std::all_of(text.begin(), text.end(), is_refusal_char)) {
      return core::make_error_code(Errc::malformed);
    }
    grant.refusal = text;
    return grant;
  }

  const auto* urls = core::array_field(object, "urls");
  const auto* username = core::string_field(object, "username");
  const auto* sealed = core::string_field(object, "sealed");
  const auto expires = core::int_field(object, "expiresMs");
  if (!urls || !username || !sealed || !expires) return core::make_error_code(Errc::malformed);
  const auto& list = *urls;
  if (list.empty() || list.size() > RelayGrant::kMaxUrls) return core::make_error_code(Errc::malformed);
  for (const auto& url : list) {
    if (!url.is_string() || !is_turn_url(url.get_string())) return core::make_error_code(Errc::malformed);
    grant.urls.emplace_back(url.get_string());
  }
  if (!is_valid_username(*username)) return core::make_error_code(Errc::malformed);
  grant.username = *username;
  auto bytes = core::base64_decode(*sealed, RelayGrant::kMaxCredentialBytes + crypto_box_SEALBYTES);
  if (!bytes || bytes->size() <= crypto_box_SEALBYTES) return core::make_error_code(Errc::malformed);
  grant.sealed = std::move(*bytes);
  grant.expires_ms = *expires;
  if (grant.expires_ms <= 0 || static_cast<std::uint64_t>(grant.expires_ms) > core::kMaxSafeInteger) {
    return core::make_error_code(Errc::malformed);
  }
  return grant;
}

}  // namespace peerdrop::relay
