#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace peerdrop::settings {

// One STUN or TURN server the user configured, as the browser's RTCIceServer.
// `urls` is always an array here (the API also accepts a single string).
struct IceServer {
  std::vector<std::string> urls;
  std::optional<std::string> username;    // a user secret (TURN): never logged
  std::optional<std::string> credential;  // a user secret (TURN): never logged
  // A TURN REST API shared secret (coturn's static-auth-secret) instead of a
  // username and credential: the daemon derives short-lived credentials from
  // it for its UI (relay::TurnCredentials). Stored, but never logged and never
  // sent to a browser: the API shows "secretSet": true instead.
  std::optional<std::string> secret;
  // Only in a parsed PUT: the server said "secretSet": true without a new
  // "secret", so it keeps the stored secret of the server with the same URLs
  // (resolve_kept_secrets fills `secret` and clears this).
  bool keep_secret = false;

  bool operator==(const IceServer&) const = default;
};

// Whether a serialized IceServer carries its shared secret: only the settings
// store writes it (Secrets::included); every answer to a page hides it.
enum class Secrets { hidden, included };

// What the user can change in the UI (docs/protocol.md, "GET /api/settings"),
// stored by the daemon (settings::SettingsStore).
struct Settings {
  // The limits of docs/protocol.md; the validation in settings_parser.hpp enforces them.
  static constexpr std::size_t kMaxIceServers = 16;
  static constexpr std::size_t kMaxUrlsPerServer = 4;
  static constexpr std::size_t kMaxUrlBytes = 256;
  static constexpr std::size_t kMaxSecretBytes = 128;  // username, credential
  static constexpr std::size_t kMaxSharedSecretBytes = 256;  // a TURN REST API shared secret
  static constexpr std::int64_t kMinConnectTimeoutMs = 5'000;
  static constexpr std::int64_t kMaxConnectTimeoutMs = 300'000;
  static constexpr std::int64_t kDefaultConnectTimeoutMs = 30'000;
  static constexpr std::size_t kMaxAutoAccept = 256;

  std::string name;  // display name, announced to peers (1-64 bytes, see discovery::is_valid_name)
  std::vector<IceServer> ice_servers;
  std::int64_t connect_timeout_ms = kDefaultConnectTimeoutMs;
  // Peers whose file requests are accepted without asking (peer ids, no duplicates).
  std::vector<std::string> auto_accept;
  // "Run a relay on this computer": the managed TURN relay (coturn) runs while this is on. --turn turns it
  // on at start (and stores that); a stored value from before this field existed reads as off.
  bool relay = false;
  // Where received files go: --download-dir, absolute. Shown, not changed, by the UI (read-only in version 1).
  std::string download_dir;

  bool operator==(const Settings&) const = default;
};

// A partial change (PUT /api/settings): only the fields that are set change.
struct SettingsUpdate {
  std::optional<std::string> name;
  std::optional<std::vector<IceServer>> ice_servers;
  std::optional<std::int64_t> connect_timeout_ms;
  std::optional<std::vector<std::string>> auto_accept;
  std::optional<bool> relay;

  // `settings` with this update's fields in place.
  Settings applied_to(Settings settings) const;
  bool empty() const { return !name && !ice_servers && !connect_timeout_ms && !auto_accept && !relay; }
};

// The API's names of the fields that differ between `before` and `after`,
// in the order of the JSON object ("name", "iceServers", "connectTimeoutMs", "autoAccept", "relay", "downloadDir").
std::vector<std::string> changed_fields(const Settings& before, const Settings& after);

// {"name":…,"iceServers":[{"urls":[…],"username":…,"credential":…}],"connectTimeoutMs":…,
//  "autoAccept":[peer id, …],"relay":false,"downloadDir":"/home/…/Downloads/PeerDrop"}
boost::json::value to_json(const Settings& settings, Secrets secrets = Secrets::hidden);
// [{"urls":[…]} with "username" and "credential" when set, and for a shared
// secret "secretSet": true (hidden) or "secret": "…" (included), …]
boost::json::value to_json(const std::vector<IceServer>& servers, Secrets secrets = Secrets::hidden);

}  // namespace peerdrop::settings
