// Fuzzes the check of a settings change (docs/protocol.md, "PUT /api/settings"):
// the body a local page sends, and what a stored value is read back through.
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "discovery/announcement.hpp"
#include "fuzz_check.hpp"
#include "identity/peer_id.hpp"
#include "settings/settings_parser.hpp"

namespace {

using peerdrop::settings::IceServer;
using peerdrop::settings::parse_settings_update;
using peerdrop::settings::Settings;
using peerdrop::settings::SettingsUpdate;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Everything an accepted update holds is within the documented limits.
void check_accepted(std::string_view body, const SettingsUpdate& update) {
  PEERDROP_FUZZ_CHECK(body.size() <= peerdrop::settings::kMaxSettingsBodyBytes);
  if (update.name) {
    PEERDROP_FUZZ_CHECK(peerdrop::discovery::is_valid_name(*update.name));
    PEERDROP_FUZZ_CHECK(!is_space(update.name->front()) && !is_space(update.name->back()));
  }
  if (update.ice_servers) {
    PEERDROP_FUZZ_CHECK(update.ice_servers->size() <= Settings::kMaxIceServers);
    for (const IceServer& server : *update.ice_servers) {
      PEERDROP_FUZZ_CHECK(!server.urls.empty() && server.urls.size() <= Settings::kMaxUrlsPerServer);
      bool turn = false;
      for (const auto& url : server.urls) {
        PEERDROP_FUZZ_CHECK(url.size() <= Settings::kMaxUrlBytes && peerdrop::settings::is_valid_ice_url(url));
        PEERDROP_FUZZ_CHECK(url.starts_with("stun:") || url.starts_with("turn:") || url.starts_with("turns:"));
        turn |= !url.starts_with("stun:");
      }
      for (const auto* secret : {&server.username, &server.credential}) {
        PEERDROP_FUZZ_CHECK(!*secret || (*secret)->size() <= Settings::kMaxSecretBytes);
      }
      if (turn) PEERDROP_FUZZ_CHECK(server.username.has_value() == server.credential.has_value());
      // A shared secret: only for TURN, never with a username or credential, within its limit.
      if (server.secret || server.keep_secret) {
        PEERDROP_FUZZ_CHECK(turn && !server.username && !server.credential);
      }
      PEERDROP_FUZZ_CHECK(!server.secret || (!server.secret->empty() &&
                                             server.secret->size() <= Settings::kMaxSharedSecretBytes));
      PEERDROP_FUZZ_CHECK(!(server.secret && server.keep_secret));
    }
  }
  if (update.connect_timeout_ms) {
    PEERDROP_FUZZ_CHECK(*update.connect_timeout_ms >= Settings::kMinConnectTimeoutMs &&
                        *update.connect_timeout_ms <= Settings::kMaxConnectTimeoutMs);
  }
  if (update.auto_accept) {
    PEERDROP_FUZZ_CHECK(update.auto_accept->size() <= Settings::kMaxAutoAccept);
    for (std::size_t i = 0; i < update.auto_accept->size(); ++i) {
      PEERDROP_FUZZ_CHECK(peerdrop::identity::looks_like_peer_id((*update.auto_accept)[i]));
      for (std::size_t j = 0; j < i; ++j) PEERDROP_FUZZ_CHECK((*update.auto_accept)[i] != (*update.auto_accept)[j]);
    }
  }
  // The download folder is never changed through the API.
  const auto sent = boost::json::parse(body);
  PEERDROP_FUZZ_CHECK(sent.is_object() && !sent.get_object().contains("downloadDir"));
  // What the daemon stores reads back as the same settings; the stored form's
  // downloadDir (read-only) is the one field a change cannot carry.
  Settings defaults;
  defaults.name = "default";
  defaults.download_dir = "/home/someone/Downloads/PeerDrop";
  auto settings = update.applied_to(defaults);
  PEERDROP_FUZZ_CHECK(settings.download_dir == defaults.download_dir);
  // A "secretSet" without a stored secret is refused before anything is stored.
  const bool keeps = settings.ice_servers.end() !=
                     std::find_if(settings.ice_servers.begin(), settings.ice_servers.end(),
                                  [](const IceServer& s) { return s.keep_secret; });
  if (keeps) {
    auto unresolved = update;
    PEERDROP_FUZZ_CHECK(peerdrop::settings::resolve_kept_secrets(unresolved, Settings{}).has_value());
    return;
  }
  auto stored = to_json(settings, peerdrop::settings::Secrets::included);
  PEERDROP_FUZZ_CHECK(stored.get_object().erase("downloadDir") == 1);
  const auto again = parse_settings_update(boost::json::serialize(stored));
  auto expected = settings;
  expected.download_dir.clear();
  PEERDROP_FUZZ_CHECK(again.update && again.update->applied_to({}) == expected);
  // What pages get never holds a shared secret: "secretSet" stands for it, and
  // sending that back keeps the stored secret.
  const auto answer = to_json(settings);
  const auto& servers = answer.at("iceServers").as_array();
  PEERDROP_FUZZ_CHECK(servers.size() == settings.ice_servers.size());
  for (std::size_t i = 0; i < servers.size(); ++i) {
    PEERDROP_FUZZ_CHECK(!servers[i].as_object().contains("secret"));
    PEERDROP_FUZZ_CHECK(servers[i].as_object().contains("secretSet") == settings.ice_servers[i].secret.has_value());
  }
  auto echoed = answer;
  echoed.get_object().erase("downloadDir");
  auto round_trip = parse_settings_update(boost::json::serialize(echoed));
  PEERDROP_FUZZ_CHECK(round_trip.update);
  PEERDROP_FUZZ_CHECK(!peerdrop::settings::resolve_kept_secrets(*round_trip.update, settings));
  PEERDROP_FUZZ_CHECK(round_trip.update->applied_to({}) == expected);
}

// A refusal names a sentence, and a field that is one of the settings, an unknown field (shown cut short), or none.
void check_refused(std::string_view body, const peerdrop::settings::SettingsError& error) {
  PEERDROP_FUZZ_CHECK(!error.message.empty());
  PEERDROP_FUZZ_CHECK(error.field.size() <= 64);
  // Both go into a JSON answer: they must be valid UTF-8 (Boost.JSON's parser checks it).
  boost::system::error_code ec;
  boost::json::parse(boost::json::serialize(boost::json::object{{"e", error.message}, {"f", error.field}}), ec);
  PEERDROP_FUZZ_CHECK(!ec);
  if (error.field.empty() || error.field == "name" || error.field == "iceServers" ||
      error.field == "connectTimeoutMs" || error.field == "autoAccept" || error.field == "relay" ||
      error.field == "downloadDir") {
    return;
  }
  // An unknown field: the body is an object that has a key starting like it.
  const auto value = boost::json::parse(body, ec);
  PEERDROP_FUZZ_CHECK(!ec && value.is_object());
  std::string_view shown = error.field;
  if (shown.ends_with("…")) shown.remove_suffix(std::string_view("…").size());
  bool found = false;
  for (const auto& item : value.get_object()) found |= std::string_view(item.key()).starts_with(shown);
  PEERDROP_FUZZ_CHECK(found);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto result = parse_settings_update(body);
  const auto again = parse_settings_update(body);
  PEERDROP_FUZZ_CHECK(result.update.has_value() == again.update.has_value());
  if (!result.update) {
    PEERDROP_FUZZ_CHECK(result.error.field == again.error.field && result.error.message == again.error.message);
    if (size > peerdrop::settings::kMaxSettingsBodyBytes) PEERDROP_FUZZ_CHECK(result.error.field.empty());
    check_refused(body, result.error);
    return 0;
  }
  PEERDROP_FUZZ_CHECK(result.update->applied_to({}) == again.update->applied_to({}));
  check_accepted(body, *result.update);
  return 0;
}
