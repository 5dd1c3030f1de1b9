#include "ui/peer_feed.hpp"

#include <boost/asio/post.hpp>

#include "discovery/peer_json.hpp"
#include "ui/ui_message_writer.hpp"

namespace peerdrop::ui {

PeerFeed::PeerFeed(boost::asio::any_io_executor executor, UiSender& tabs, discovery::DiscoveryService& discovery,
                   const settings::SettingsService& settings, const relay::RelayService& relay,
                   const relay::RemoteRelays& remote_relays)
    : executor_(std::move(executor)),
      tabs_(tabs),
      discovery_(discovery),
      settings_(settings),
      relay_(relay),
      remote_relays_(remote_relays) {}

void PeerFeed::greet(Tab tab) {
  const auto health = discovery_.health();
  tabs_.send_to(tab, serialize(Welcome{.self = {.id = health.id,
                                                .name = health.name,
                                                .version = PEERDROP_VERSION,
                                                .port = health.port,
                                                .discovery_port = health.discovery_port},
                                       .settings = settings::to_json(settings_.settings())}));
  tabs_.send_to(tab, peers_message());
  tabs_.send_to(tab, settings_message());
  tabs_.send_to(tab, relay_message());  // also when off: the UI shows the switch's state
}

void PeerFeed::send_peers(Tab tab) { tabs_.send_to(tab, peers_message()); }

void PeerFeed::peers_changed() {
  if (peers_push_pending_ || tabs_.size() == 0) return;
  peers_push_pending_ = true;
  boost::asio::post(executor_, [this] {
    peers_push_pending_ = false;
    tabs_.broadcast(peers_message());
  });
}

void PeerFeed::settings_changed() { tabs_.broadcast(settings_message()); }

void PeerFeed::relay_changed() { tabs_.broadcast(relay_message()); }

std::string PeerFeed::peers_message() const {
  PeerList list;
  for (const auto& peer : discovery_.peers()) list.peers.push_back(discovery::to_json(peer, remote_relays_.ready(peer.id)));
  return serialize(list);
}

std::string PeerFeed::settings_message() const {
  return serialize(SettingsPush{.settings = settings::to_json(settings_.settings())});
}

std::string PeerFeed::relay_message() const { return serialize(RelayState{.relay = relay_.health_json()}); }

}  // namespace peerdrop::ui
