#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <deque>
#include <map>
#include <string>

#include "core/logging.hpp"
#include "discovery/discovery_service.hpp"
#include "relay/turn_credentials.hpp"
#include "settings/settings_service.hpp"
#include "signaling/signaling_service.hpp"
#include "ws/ui_hub.hpp"

namespace peerdrop::relay {
class RelayService;
class RemoteRelays;
}

namespace peerdrop::app {

// The UI's WebSocket protocol (docs/protocol.md, "The UI's WebSocket"):
// turns UI messages into signaling and discovery calls, and signaling events
// into UI messages. Several tabs may be open: all see the peer list and new
// requests; the first tab that answers a session owns it, and the rest of
// that session's messages go to that tab only.
class UiBridge {
 public:
  // `relay` is the managed TURN relay (on or off; null only in tests); `credentials`
  // derives short-lived TURN credentials from shared secrets (the relay's and
  // those of configured servers), so no secret ever reaches a tab.
  UiBridge(ws::UiHub& hub, discovery::DiscoveryService& discovery, signaling::SignalingService& signaling,
           const settings::SettingsService& settings, const relay::TurnCredentials& credentials,
           const relay::RelayService* relay, core::Logger logger);

  // Credentials for other daemons' relays (shared relays): their "relay" in
  // the peer list and their entries in the ice_servers answer. Null: none.
  void set_remote_relays(const relay::RemoteRelays* remote) { remote_relays_ = remote; }

  void greet(std::uint64_t tab);
  void push_peers();
  void push_settings();  // to every tab, after a change
  void push_relay();     // to every tab, when the relay's state changes (greet sends it too, also when off)
  void on_message(std::uint64_t tab, const boost::json::object& message);
  void tab_closed(std::uint64_t tab);

  // Signaling events.
  void deliver(const signaling::IncomingSignal& signal);
  void delivered(std::uint64_t tag);
  void expired(std::uint64_t tag, const std::string& peer);
  void key_changed(const std::string& claimed_id);

 private:
  struct Origin {
    std::uint64_t tab;
    boost::json::value ref;
  };
  void send_signal(std::uint64_t tab, const boost::json::object& message, const boost::json::value* ref);
  void own(const std::string& session, const std::string& peer, std::uint64_t tab);
  void on_session(std::uint64_t tab, const boost::json::object& message, const boost::json::value* ref);
  void answer_ice_servers(std::uint64_t tab, const boost::json::object& message, const boost::json::value* ref);
  std::string peers_message() const;

  ws::UiHub& hub_;
  discovery::DiscoveryService& discovery_;
  signaling::SignalingService& signaling_;
  const settings::SettingsService& settings_;
  const relay::TurnCredentials& credentials_;
  const relay::RelayService* relay_;
  const relay::RemoteRelays* remote_relays_ = nullptr;
  core::Logger logger_;
  std::uint64_t next_tag_ = 1;
  std::map<std::uint64_t, Origin> origins_;         // tag -> which tab sent it (until delivered or expired)
  std::map<std::string, std::uint64_t> owners_;     // session -> tab
  std::deque<std::string> owner_order_;             // bounded: oldest sessions forgotten first
  bool peers_push_pending_ = false;
};

}  // namespace peerdrop::app
