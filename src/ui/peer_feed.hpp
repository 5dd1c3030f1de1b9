#pragma once

#include <boost/asio/any_io_executor.hpp>

#include "discovery/discovery_service.hpp"
#include "relay/relay_service.hpp"
#include "relay/remote_relays.hpp"
#include "settings/settings_service.hpp"
#include "ui/ui_sender.hpp"

namespace peerdrop::ui {

// What every tab sees of this daemon and its peers: the greeting of a new
// tab (welcome, peers, settings, relay), and the pushes when the peer list,
// the settings or the relay's state change. Several peer list changes in
// one go (a scan finding ten peers) become one message.
class PeerFeed {
 public:
  PeerFeed(boost::asio::any_io_executor executor, UiSender& tabs, discovery::DiscoveryService& discovery,
           const settings::SettingsService& settings, const relay::RelayService& relay,
           const relay::RemoteRelays& remote_relays);

  void greet(Tab tab);
  void send_peers(Tab tab);  // the answer to get_peers
  void peers_changed();
  void settings_changed();
  void relay_changed();

 private:
  std::string peers_message() const;
  std::string settings_message() const;
  std::string relay_message() const;

  boost::asio::any_io_executor executor_;
  UiSender& tabs_;
  discovery::DiscoveryService& discovery_;
  const settings::SettingsService& settings_;
  const relay::RelayService& relay_;
  const relay::RemoteRelays& remote_relays_;
  bool peers_push_pending_ = false;
};

}  // namespace peerdrop::ui
