#pragma once

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>

#include "discovery/discovery_service.hpp"
#include "relay/relay_service.hpp"
#include "relay/remote_relays.hpp"
#include "relay/turn_credentials.hpp"
#include "settings/settings_service.hpp"
#include "ui/ui_sender.hpp"

namespace peerdrop::ui {

// The answer to a tab's `ice_servers` (docs/protocol.md): the STUN and TURN
// servers its browser should use to reach a peer, in order: this daemon's
// STUN responder on the addresses facing the peer, the peer daemon's, this
// daemon's relay while it runs, the peer's own relay when this daemon holds
// credentials for it (never another peer's), then the user's servers. Every
// TURN credential is short-lived and issued to this daemon's id: no shared
// secret ever reaches a tab.
class IceServerList {
 public:
  IceServerList(UiSender& tabs, std::string own_id, const discovery::DiscoveryService& discovery,
                const settings::SettingsService& settings, const relay::TurnCredentials& credentials,
                const relay::RelayService& relay, const relay::RemoteRelays& remote_relays);

  void on(Tab tab, const IceServersRequest& request, const std::optional<boost::json::value>& ref);
  boost::json::array servers_for(const std::string& peer_id) const;

 private:
  UiSender& tabs_;
  std::string own_id_;
  const discovery::DiscoveryService& discovery_;
  const settings::SettingsService& settings_;
  const relay::TurnCredentials& credentials_;
  const relay::RelayService& relay_;
  const relay::RemoteRelays& remote_relays_;
};

}  // namespace peerdrop::ui
