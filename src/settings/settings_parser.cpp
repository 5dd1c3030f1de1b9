#include "settings/settings_parser.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/url/ipv4_address.hpp>
#include <boost/url/ipv6_address.hpp>
#include <charconv>

#include "core/json_fields.hpp"
#include "discovery/announcement.hpp"
#include "identity/peer_id.hpp"

namespace peerdrop::settings {
namespace {

namespace json = boost::json;

constexpr std::string_view kName = "name";
constexpr std::string_view kIceServers = "iceServers";
constexpr std::string_view kConnectTimeout = "connectTimeoutMs";
constexpr std::string_view kAutoAccept = "autoAccept";
constexpr std::string_view kRelay = "relay";
constexpr std::string_view kDownloadDir = "downloadDir";
constexpr std::size_t kMaxDepth = 8;  // {"iceServers":[{"urls":["…"]}]} needs 4
constexpr std::size_t kMaxShownBytes = 40;  // of an unknown field's name in an answer
constexpr std::size_t kMaxDnsNameBytes = 253;
constexpr std::size_t kMaxDnsLabelBytes = 63;

ParsedSettingsUpdate refuse(std::string_view field, std::string message) {
  return ParsedSettingsUpdate{.error = SettingsError{std::string(field), std::move(message)}};
}

// At most `max` bytes of valid UTF-8 (JSON parsing has checked it), cut at a character boundary.
std::string shown(std::string_view text, std::size_t max = kMaxShownBytes) {
  if (text.size() <= max) return std::string(text);
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "…";
}

bool has_control_character(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// A DNS name (letters, digits, inner hyphens; dot-separated labels), or an
// IPv4 address if it is all digits and dots.
bool is_valid_host_name(std::string_view host) {
  if (host.empty() || host.size() > kMaxDnsNameBytes) return false;
  bool all_numeric = true;
  std::size_t start = 0;
  while (start <= host.size()) {
    const auto dot = std::min(host.find('.', start), host.size());
    const auto label = host.substr(start, dot - start);
    if (label.empty() || label.size() > kMaxDnsLabelBytes || label.front() == '-' || label.back() == '-') return false;
    for (const char c : label) {
      if (!is_alnum(c) && c != '-') return false;
      if (c < '0' || c > '9') all_numeric = false;
    }
    start = dot + 1;
  }
  return !all_numeric || boost::urls::parse_ipv4_address(host).has_value();
}

bool is_valid_port(std::string_view text) {
  if (text.empty() || text.size() > 5 || text.front() == '0') return false;
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc{} && end == text.data() + text.size() && value >= 1 && value <= 65535;
}

// One RTCIceServer object; `number` counts from 1 for the messages.
std::optional<IceServer> parse_ice_server(const json::value& value, std::size_t number, std::string& problem) {
  const auto where = "ICE server " + std::to_string(number) + ": ";
  if (!value.is_object()) {
    problem = where + "each ICE server must be an object like {\"urls\":[\"stun:198.51.100.9:3478\"]}";
    return std::nullopt;
  }
  const auto& entry = value.get_object();
  for (const auto& item : entry) {
    if (item.key() != "urls" && item.key() != "username" && item.key() != "credential" && item.key() != "secret" &&
        item.key() != "secretSet") {
      problem = where + "unknown field \"" + shown(item.key()) +
                "\" (known: urls, username, credential, secret, secretSet)";
      return std::nullopt;
    }
  }
  IceServer server;
  const auto* urls = entry.if_contains("urls");
  if (urls && urls->is_string()) {
    server.urls.emplace_back(urls->get_string());
  } else if (urls && urls->is_array()) {
    if (urls->get_array().empty() || urls->get_array().size() > Settings::kMaxUrlsPerServer) {
      problem = where + "\"urls\" must hold 1 to " + std::to_string(Settings::kMaxUrlsPerServer) + " URLs";
      return std::nullopt;
    }
    for (const auto& url : urls->get_array()) {
      if (!url.is_string()) {
        problem = where + "\"urls\" must be a string or an array of strings";
        return std::nullopt;
      }
      server.urls.emplace_back(url.get_string());
    }
  } else {
    problem = where + "\"urls\" is missing; give a URL like \"stun:198.51.100.9:3478\" or an array of them";
    return std::nullopt;
  }
  bool turn = false;
  for (const auto& url : server.urls) {
    if (url.size() > Settings::kMaxUrlBytes) {
      problem = where + "a URL is longer than " + std::to_string(Settings::kMaxUrlBytes) + " bytes";
      return std::nullopt;
    }
    if (!is_valid_ice_url(url)) {
      problem = where + "\"" + shown(url, 80) +
                "\" is not a STUN or TURN URL; write stun:HOST:PORT, turn:HOST:PORT or turns:HOST:PORT, "
                "optionally with ?transport=udp or ?transport=tcp for TURN";
      return std::nullopt;
    }
    turn |= url.starts_with("turn");
  }
  for (const auto* key : {"username", "credential"}) {
    const auto* secret = entry.if_contains(key);
    if (!secret) continue;
    if (!secret->is_string() || secret->get_string().size() > Settings::kMaxSecretBytes ||
        has_control_character(secret->get_string())) {
      problem = where + "\"" + key + "\" must be text of at most " + std::to_string(Settings::kMaxSecretBytes) +
                " bytes without control characters";
      return std::nullopt;
    }
    (std::string_view(key) == "username" ? server.username : server.credential) = std::string(secret->get_string());
  }
  if (const auto* secret = entry.if_contains("secret")) {
    if (!secret->is_string() || secret->get_string().empty() ||
        secret->get_string().size() > Settings::kMaxSharedSecretBytes || has_control_character(secret->get_string())) {
      problem = where + "\"secret\" must be text of 1 to " + std::to_string(Settings::kMaxSharedSecretBytes) +
                " bytes without control characters";
      return std::nullopt;
    }
    server.secret = std::string(secret->get_string());
  }
  if (const auto* secret_set = entry.if_contains("secretSet")) {
    if (!secret_set->is_bool()) {
      problem = where + "\"secretSet\" must be true or false";
      return std::nullopt;
    }
    server.keep_secret = secret_set->get_bool() && !server.secret;  // a new secret wins
  }
  if (server.secret || server.keep_secret) {
    if (!turn) {
      problem = where + "a shared \"secret\" is for TURN servers: give a turn: or turns: URL";
      return std::nullopt;
    }
    if (server.username || server.credential) {
      problem = where + "give either a shared \"secret\" (the daemon derives short-lived credentials from it) or "
                        "\"username\" and \"credential\", not both";
      return std::nullopt;
    }
  }
  if (turn && server.username.has_value() != server.credential.has_value()) {
    problem = where + "a TURN server needs both \"username\" and \"credential\", or neither";
    return std::nullopt;
  }
  return server;
}

// Trims ASCII white space (a pasted name often ends in a newline).
std::string_view trimmed(std::string_view text) {
  constexpr std::string_view kSpace = " \t\n\r\f\v";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

}  // namespace

bool is_valid_ice_url(std::string_view url) {
  if (url.size() > Settings::kMaxUrlBytes) return false;
  const auto colon = url.find(':');
  if (colon == std::string_view::npos) return false;
  const auto scheme = url.substr(0, colon);
  const bool turn = scheme == "turn" || scheme == "turns";
  if (!turn && scheme != "stun") return false;
  auto rest = url.substr(colon + 1);
  if (const auto question = rest.find('?'); question != std::string_view::npos) {
    const auto query = rest.substr(question + 1);
    if (!turn || (query != "transport=udp" && query != "transport=tcp")) return false;
    rest = rest.substr(0, question);
  }
  std::string_view port;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos || !boost::urls::parse_ipv6_address(rest.substr(1, close - 1))) return false;
    const auto after = rest.substr(close + 1);
    if (after.empty()) return true;
    if (after.front() != ':') return false;
    return is_valid_port(after.substr(1));
  }
  if (const auto port_colon = rest.find(':'); port_colon != std::string_view::npos) {
    port = rest.substr(port_colon + 1);
    rest = rest.substr(0, port_colon);
    if (!is_valid_port(port)) return false;
  }
  return is_valid_host_name(rest);
}

std::optional<SettingsError> resolve_kept_secrets(SettingsUpdate& update, const Settings& current) {
  if (!update.ice_servers) return std::nullopt;
  for (std::size_t i = 0; i < update.ice_servers->size(); ++i) {
    auto& server = (*update.ice_servers)[i];
    if (!server.keep_secret) continue;
    const auto stored = std::find_if(current.ice_servers.begin(), current.ice_servers.end(),
                                     [&](const IceServer& s) { return s.secret && s.urls == server.urls; });
    if (stored == current.ice_servers.end()) {
      return SettingsError{std::string(kIceServers),
                           "ICE server " + std::to_string(i + 1) +
                               ": \"secretSet\" keeps the stored shared secret of a server with the same URLs, "
                               "and there is none; give the \"secret\""};
    }
    server.secret = stored->secret;
    server.keep_secret = false;
  }
  return std::nullopt;
}

ParsedSettingsUpdate parse_settings_update(std::string_view body) {
  if (body.size() > kMaxSettingsBodyBytes) {
    return refuse("", "the settings are too large (at most " + std::to_string(kMaxSettingsBodyBytes / 1024) + " KiB)");
  }
  const auto value = core::parse_json(body, kMaxDepth);
  if (!value || !value->is_object()) {
    return refuse("", "send a JSON object with the settings to change, like {\"name\":\"Alice's laptop\"}");
  }
  return parse_settings_update(value->get_object());
}

ParsedSettingsUpdate parse_settings_update(const json::object& object) {
  std::vector<std::string> unknown;
  for (const auto& item : object) {
    const auto key = item.key();
    if (key != kName && key != kIceServers && key != kConnectTimeout && key != kAutoAccept && key != kRelay &&
        key != kDownloadDir) {
      unknown.push_back(shown(key));
    }
  }
  if (!unknown.empty()) {
    std::string list;
    for (std::size_t i = 0; i < unknown.size() && i < 5; ++i) list += (i ? ", \"" : "\"") + unknown[i] + "\"";
    if (unknown.size() > 5) list += ", …";
    return refuse(unknown.front(), std::string(unknown.size() == 1 ? "unknown field " : "unknown fields ") + list +
                                       "; the settings are name, iceServers, connectTimeoutMs, autoAccept and relay");
  }
  if (object.contains(kDownloadDir)) {
    return refuse(kDownloadDir,
                  "the download folder cannot be changed from the UI in this version; start peerdropd with "
                  "--download-dir to choose another");
  }

  SettingsUpdate update;
  if (object.contains(kName)) {
    const auto* name = core::string_field(object, kName);
    if (!name) return refuse(kName, "the name must be text");
    const auto text = trimmed(*name);
    if (text.empty()) return refuse(kName, "the name must not be empty");
    if (text.size() > discovery::Announcement::kMaxNameBytes) {
      return refuse(kName, "the name is too long: at most " + std::to_string(discovery::Announcement::kMaxNameBytes) +
                               " bytes of UTF-8 (this one has " + std::to_string(text.size()) + ")");
    }
    if (!discovery::is_valid_name(text)) {
      return refuse(kName, "the name must not contain control characters or text-direction overrides");
    }
    update.name = std::string(text);
  }

  if (object.contains(kIceServers)) {
    const auto* servers = core::array_field(object, kIceServers);
    if (!servers) {
      return refuse(kIceServers, "iceServers must be an array like [{\"urls\":[\"stun:198.51.100.9:3478\"]}]");
    }
    const auto& list = *servers;
    if (list.size() > Settings::kMaxIceServers) {
      return refuse(kIceServers, "at most " + std::to_string(Settings::kMaxIceServers) + " ICE servers (" +
                                     std::to_string(list.size()) + " given)");
    }
    std::vector<IceServer> parsed;
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::string problem;
      auto server = parse_ice_server(list[i], i + 1, problem);
      if (!server) return refuse(kIceServers, std::move(problem));
      parsed.push_back(std::move(*server));
    }
    update.ice_servers = std::move(parsed);
  }

  if (object.contains(kConnectTimeout)) {
    const auto timeout = core::int_field(object, kConnectTimeout);
    const bool in_range =
        timeout && *timeout >= Settings::kMinConnectTimeoutMs && *timeout <= Settings::kMaxConnectTimeoutMs;
    if (!in_range) {
      return refuse(kConnectTimeout, "connectTimeoutMs must be a whole number of milliseconds from " +
                                         std::to_string(Settings::kMinConnectTimeoutMs) + " to " +
                                         std::to_string(Settings::kMaxConnectTimeoutMs));
    }
    update.connect_timeout_ms = *timeout;
  }

  if (object.contains(kAutoAccept)) {
    const auto* peers = core::array_field(object, kAutoAccept);
    if (!peers) return refuse(kAutoAccept, "autoAccept must be an array of peer ids");
    const auto& list = *peers;
    if (list.size() > Settings::kMaxAutoAccept) {
      return refuse(kAutoAccept, "at most " + std::to_string(Settings::kMaxAutoAccept) + " peers in autoAccept (" +
                                     std::to_string(list.size()) + " given)");
    }
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (!list[i].is_string() || !identity::looks_like_peer_id(list[i].get_string())) {
        return refuse(kAutoAccept, "autoAccept entry " + std::to_string(i + 1) +
                                       " is not a peer id (52 characters of base32, as in GET /api/peers)");
      }
      std::string id(list[i].get_string());
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(std::move(id));  // a repeat counts once
    }
    update.auto_accept = std::move(ids);
  }

  if (object.contains(kRelay)) {
    const auto relay = core::bool_field(object, kRelay);
    if (!relay) return refuse(kRelay, "relay must be true (run a TURN relay on this computer) or false");
    update.relay = *relay;
  }
  return ParsedSettingsUpdate{.update = std::move(update)};
}

}  // namespace peerdrop::settings
