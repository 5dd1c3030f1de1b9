#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "settings/settings.hpp"

namespace peerdrop::settings {

// Why a settings change was refused: the field it concerns (for the UI to
// mark) and a sentence for a person. Never contains a username or credential.
struct SettingsError {
  std::string field;  // "name", "iceServers", "connectTimeoutMs", "autoAccept", "relay", "downloadDir", an unknown
                      // field's name, or empty (the whole body)
  std::string message;
};

struct ParsedSettingsUpdate {
  std::optional<SettingsUpdate> update;  // set when the input is valid
  SettingsError error;                   // otherwise
};

// The largest body parse_settings_update takes (the HTTP API's body limit).
inline constexpr std::size_t kMaxSettingsBodyBytes = 64 * 1024;

// Parses and validates untrusted JSON (the body of PUT /api/settings, or a
// stored value) into a partial update; never throws. Every rule of
// docs/protocol.md is checked here: unknown fields are refused by name, the
// name is trimmed first.
ParsedSettingsUpdate parse_settings_update(std::string_view body);
ParsedSettingsUpdate parse_settings_update(const boost::json::object& object);

// A PUT may say "secretSet": true for a server instead of repeating its
// shared secret (pages never see it): the stored secret of the server in
// `current` with the same URLs is kept. An error names the server when there
// is no such secret. Stored values never need this (they carry the secret).
std::optional<SettingsError> resolve_kept_secrets(SettingsUpdate& update, const Settings& current);

// stun:host[:port], turn:host[:port][?transport=udp|tcp], turns:… (RFC 7064,
// RFC 7065): host an IPv4 address, a bracketed IPv6 address or a DNS name;
// nothing else (no user info, no other query, no percent-encoding).
bool is_valid_ice_url(std::string_view url);

}  // namespace peerdrop::settings
