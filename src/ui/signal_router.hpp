#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "core/logging.hpp"
#include "discovery/discovery_service.hpp"
#include "signaling/signaling_service.hpp"
#include "ui/ui_sender.hpp"

namespace peerdrop::ui {

// The pages' signals between each other, through the daemons
// (docs/protocol.md, "The UI's WebSocket"): a tab's `signal` is queued for
// the peer and acknowledged; the peer's signals, and whether ours were
// delivered or expired, come back to the tab that sent them. Several tabs may
// be open: all see new requests; the first tab that answers a session owns
// it, the others are told (`session_taken`), and the rest of that session's
// signals go to that tab only.
class SignalRouter {
 public:
  SignalRouter(UiSender& tabs, signaling::SignalingService& signaling, discovery::DiscoveryService& discovery);

  void on(Tab tab, const SignalRequest& signal, const std::optional<boost::json::value>& ref);
  void on(Tab tab, const SessionUpdate& session);
  void tab_closed(Tab tab);

  // Signaling's events.
  void deliver(const signaling::IncomingSignal& signal);
  void delivered(std::uint64_t tag);
  void expired(std::uint64_t tag, const std::string& peer);

 private:
  struct Origin {
    Tab tab;
    std::optional<boost::json::value> ref;
  };
  void own(const std::string& session, const std::string& peer, Tab tab);

  UiSender& tabs_;
  signaling::SignalingService& signaling_;
  discovery::DiscoveryService& discovery_;
  std::uint64_t next_tag_ = 1;
  std::map<std::uint64_t, Origin> origins_;  // tag -> which tab sent it (until delivered or expired)
  std::map<std::string, Tab> owners_;        // session -> tab
  std::deque<std::string> owner_order_;      // bounded: oldest sessions forgotten first
};

}  // namespace peerdrop::ui
