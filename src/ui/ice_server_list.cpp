#include "ui/ice_server_list.hpp"

#include "ui/ui_message_writer.hpp"

namespace peerdrop::ui {

namespace json = boost::json;

namespace {

json::object turn_entry(const std::vector<std::string>& urls, std::string_view username,
                        std::string_view credential) {
  json::array list;
  for (const auto& url : urls) list.emplace_back(url);
  return json::object{{"urls", std::move(list)}, {"username", username}, {"credential", credential}};
}

}  // namespace

IceServerList::IceServerList(UiSender& tabs, std::string own_id, const discovery::DiscoveryService& discovery,
                             const settings::SettingsService& settings, const relay::TurnCredentials& credentials,
                             const relay::RelayService& relay, const relay::RemoteRelays& remote_relays)
    : tabs_(tabs),
      own_id_(std::move(own_id)),
      discovery_(discovery),
      settings_(settings),
      credentials_(credentials),
      relay_(relay),
      remote_relays_(remote_relays) {}

void IceServerList::on(Tab tab, const IceServersRequest& request, const std::optional<json::value>& ref) {
  tabs_.send_to(tab, serialize(IceServers{.peer = request.peer, .servers = servers_for(request.peer), .ref = ref}));
}

json::array IceServerList::servers_for(const std::string& peer_id) const {
  json::array servers;
  for (const auto& address : discovery_.stun_servers_for(peer_id)) {
    servers.push_back(json::object{{"urls", "stun:" + address}});
  }
  // Credentials are issued to this daemon's id: the browser that uses them is ours.
  if (auto relayed = relay_.ice_server(own_id_)) {
    servers.push_back(turn_entry(relayed->urls, relayed->credential.username, relayed->credential.password));
  }
  // The peer's own relay (credentials it granted this daemon), never another peer's.
  if (const auto remote = remote_relays_.relay_for(peer_id)) {
    servers.push_back(turn_entry(remote->urls, remote->username, remote->credential));
  }
  for (const auto& configured : settings_.settings().ice_servers) {
    if (configured.secret) {
      const auto credential = credentials_.issue(*configured.secret, own_id_);
      servers.push_back(turn_entry(configured.urls, credential.username, credential.password));
    } else {
      auto entry = settings::to_json(std::vector<settings::IceServer>{configured});
      servers.push_back(std::move(entry.as_array().front()));
    }
  }
  return servers;
}

}  // namespace peerdrop::ui
