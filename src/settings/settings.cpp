#include "settings/settings.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace peerdrop::settings {

Settings SettingsUpdate::applied_to(Settings settings) const {
  if (name) settings.name = *name;
  if (ice_servers) settings.ice_servers = *ice_servers;
  if (connect_timeout_ms) settings.connect_timeout_ms = *connect_timeout_ms;
  if (auto_accept) settings.auto_accept = *auto_accept;
  if (relay) settings.relay = *relay;
  return settings;
}

std::vector<std::string> changed_fields(const Settings& before, const Settings& after) {
  std::vector<std::string> out;
  if (before.name != after.name) out.emplace_back("name");
  if (before.ice_servers != after.ice_servers) out.emplace_back("iceServers");
  if (before.connect_timeout_ms != after.connect_timeout_ms) out.emplace_back("connectTimeoutMs");
  if (before.auto_accept != after.auto_accept) out.emplace_back("autoAccept");
  if (before.relay != after.relay) out.emplace_back("relay");
  if (before.download_dir != after.download_dir) out.emplace_back("downloadDir");
  return out;
}

boost::json::value to_json(const std::vector<IceServer>& servers, Secrets secrets) {
  boost::json::array out;
  for (const auto& server : servers) {
    boost::json::array urls;
    for (const auto& url : server.urls) urls.emplace_back(url);
    boost::json::object entry{{"urls", std::move(urls)}};
    if (server.username) entry["username"] = *server.username;
    if (server.credential) entry["credential"] = *server.credential;
    if (server.secret && secrets == Secrets::included) entry["secret"] = *server.secret;
    if (server.secret && secrets == Secrets::hidden) entry["secretSet"] = true;
    out.emplace_back(std::move(entry));
  }
  return out;
}

boost::json::value to_json(const Settings& settings, Secrets secrets) {
  return boost::json::object{
      {"name", settings.name},
      {"iceServers", to_json(settings.ice_servers, secrets)},
      {"connectTimeoutMs", settings.connect_timeout_ms},
      {"autoAccept", boost::json::array(settings.auto_accept.begin(), settings.auto_accept.end())},
      {"relay", settings.relay},
      {"downloadDir", settings.download_dir},
  };
}

}  // namespace peerdrop::settings
