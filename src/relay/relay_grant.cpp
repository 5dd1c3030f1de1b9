#include "relay/relay_grant.hpp"

#include <sodium.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/base64.hpp"
#include "core/errc.hpp"
#include "identity/peer_id.hpp"
#include "settings/settings_parser.hpp"

namespace peerdrop::relay {
namespace {

namespace json = boost::json;
using core::Errc;

constexpr std::int64_t kMaxSafeInteger = (std::int64_t{1} << 53) - 1;

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
  json::parse_options options;
  options.max_depth = 3;
  boost::system::error_code ec;
  const auto value = json::parse(payload, ec, &arena, options);
  if (ec || !value.is_object()) return core::make_error_code(Errc::malformed);
  const auto& object = value.get_object();
  RelayGrant grant;

  if (const auto* error = object.if_contains("error")) {
    if (!error->is_string()) return core::make_error_code(Errc::malformed);
    const std::string_view text = error->get_string();
    if (text.empty() || text.size() > RelayGrant::kMaxRefusalBytes ||
        !std::all_of(text.begin(), text.end(), is_refusal_char)) {
      return core::make_error_code(Errc::malformed);
    }
    grant.refusal = text;
    return grant;
  }

  const auto* urls = object.if_contains("urls");
  const auto* username = object.if_contains("username");
  const auto* sealed = object.if_contains("sealed");
  const auto* expires = object.if_contains("expiresMs");
  if (!urls || !urls->is_array() || !username || !username->is_string() || !sealed || !sealed->is_string() ||
      !expires || !expires->is_int64()) {
    return core::make_error_code(Errc::malformed);
  }
  const auto& list = urls->get_array();
  if (list.empty() || list.size() > RelayGrant::kMaxUrls) return core::make_error_code(Errc::malformed);
  for (const auto& url : list) {
    if (!url.is_string() || !is_turn_url(url.get_string())) return core::make_error_code(Errc::malformed);
    grant.urls.emplace_back(url.get_string());
  }
  if (!is_valid_username(username->get_string())) return core::make_error_code(Errc::malformed);
  grant.username = username->get_string();
  auto bytes = core::base64_decode(sealed->get_string(), RelayGrant::kMaxCredentialBytes + crypto_box_SEALBYTES);
  if (!bytes || bytes->size() <= crypto_box_SEALBYTES) return core::make_error_code(Errc::malformed);
  grant.sealed = std::move(*bytes);
  grant.expires_ms = expires->get_int64();
  if (grant.expires_ms <= 0 || grant.expires_ms > kMaxSafeInteger) return core::make_error_code(Errc::malformed);
  return grant;
}

}  // namespace peerdrop::relay
