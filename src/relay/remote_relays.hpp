#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/logging.hpp"
#include "discovery/peer_info.hpp"
#include "identity/identity.hpp"
#include "core/alarm.hpp"

namespace peerdrop::relay {

// The requesting side of shared relays (docs/protocol.md, "Shared relays"):
// credentials for the TURN relays other daemons offer, so the browsers here
// can use a peer's relay for connections with that peer. It follows the
// online, verified peers that offer a relay (PeerInfo::relay) and hold a
// proven address, at most `max_per_address` identities per address (the
// peer's most recent proven one) and `max_peers` in all, the peers a UI here
// has connected to first: many identities on one host cannot crowd out the
// others. To each it sends a `relay:request` when it holds no grant, or its
// grant passed half its lifetime; an unanswered request is sent again after
// the answer timeout, which doubles up to a limit (as does the wait after a
// refusal). A grant keeps only the URLs at addresses the peer proved to hold
// (a handshake there), and is refused when none is. A peer's grant is
// dropped when the peer goes offline, stops offering its relay, is no longer
// followed, or the grant expires.
//
// Pure logic on an injected clock: the Alarm only says when to look again,
// and `send` queues the request (signaling), so tests use fakes.
class RemoteRelays {
 public:
  struct Config {
    std::chrono::milliseconds answer_timeout{10'000};  // the first wait for a grant, then doubled
    std::chrono::milliseconds max_wait{300'000};       // longest wait between requests to one peer
    std::chrono::milliseconds min_lifetime{60'000};    // a grant expiring sooner than this is refused
    std::size_t max_peers = 64;                        // peers followed at once; more wait until one leaves
    std::size_t max_per_address = 2;                   // identities followed per address
  };
  // One remote relay for an RTCIceServer: the URLs kept for that peer and
  // credentials issued to this daemon.
  struct Relay {
    std::string peer_id;
    std::vector<std::string> urls;
    std::string username;         // "<expiry>:<this daemon's id>"
    std::string credential;       // the opened password: never logged
    std::int64_t expires_ms = 0;  // Unix ms
  };
  // Queues a `relay:request` (payload {}) for the peer; false if it could not be queued.
  using Send = std::function<bool(const std::string& peer_id)>;
  // Called when a peer gains or loses a usable grant (its "relay" in the peer list changes).
  using Changed = std::function<void()>;

  RemoteRelays(const core::Clock& clock, core::Alarm& alarm, const identity::Identity& identity, Send send,
               Changed changed, core::Logger logger, Config config);
  RemoteRelays(const core::Clock& clock, core::Alarm& alarm, const identity::Identity& identity, Send send,
               Changed changed, core::Logger logger)
      : RemoteRelays(clock, alarm, identity, std::move(send), std::move(changed), std::move(logger), Config{}) {}
  RemoteRelays(const RemoteRelays&) = delete;
  RemoteRelays& operator=(const RemoteRelays&) = delete;

  // The whole peer list, whenever it changes: starts following the peers
  // that offer a relay, within the limits (a request goes out at once), forgets the rest.
  void update(const std::vector<discovery::PeerInfo>& peers);
  // A `relay:grant` from a peer (payload as sent, untrusted): kept if it is
  // well formed, issued to this daemon, not about to expire, opens with this
  // daemon's key and names the relay at an address the peer proved to hold;
  // a refusal drops the peer's grant.
  void on_grant(const std::string& from, std::string_view payload);
  // Stops asking (shutdown).
  void stop();

  // Whether a valid (unexpired) grant for the peer's relay is held.
  bool ready(const std::string& peer_id) const;
  // The relay for a connection with `peer_id`: that peer's own, while a
  // valid grant for it is held. Never another peer's relay: a peer is in
  // the path of its own connections only.
  std::optional<Relay> relay_for(const std::string& peer_id) const;

 private:
  struct Held {
    Relay relay;
    core::Clock::TimePoint refresh_at{};  // half its lifetime
    core::Clock::TimePoint expires_at{};
  };
  struct Tracked {
    std::string name;
    std::vector<std::string> ips;  // the addresses the peer proved to hold
    std::optional<Held> grant;
    bool asking = false;               // a request is out, unanswered
    core::Clock::TimePoint next{};     // asking: when to give up on it; else when to ask
    std::chrono::milliseconds wait{};  // the current wait (answer timeout or pause)
  };

  void ask(const std::string& id, Tracked& peer, core::Clock::TimePoint now);
  void back_off(Tracked& peer, core::Clock::TimePoint now);
  // Sends what is due, drops what expired, and sets the alarm to the next due time.
  void run();
  void drop_grant(const std::string& id, Tracked& peer, const char* why);
  // The peers to follow, in the order they get a place: connected to most recently first, then those followed already.
  std::vector<const discovery::PeerInfo*> to_follow(const std::vector<discovery::PeerInfo>& peers) const;
  bool usable(const Held& held, core::Clock::TimePoint now) const { return now < held.expires_at; }
  std::vector<std::string> kept_urls(const Tracked& peer, const std::vector<std::string>& urls) const;

  const core::Clock& clock_;
  core::Alarm& alarm_;
  const identity::Identity& identity_;
  Send send_;
  Changed changed_;
  core::Logger logger_;
  Config config_;
  std::map<std::string, Tracked> peers_;
  bool stopped_ = false;
};

}  // namespace peerdrop::relay
