#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/logging.hpp"
#include "core/rate_limiter.hpp"
#include "discovery/peer_info.hpp"
#include "relay/relay_grant_store.hpp"
#include "relay/relay_service.hpp"

namespace peerdrop::relay {

// The relay daemon's side of shared relays (docs/protocol.md, "Shared
// relays"): answers a peer's `relay:request` with a `relay:grant`, TURN
// credentials for this daemon's relay issued to the peer's id, the password
// sealed to the peer's key, or with a refusal:
//   {"error":"not_trusted"}  the peer's key was never proven by a handshake, or
//                            the user here has never connected to it and does not
//                            trust it (settings.autoAccept)
//   {"error":"off"}          the relay is not running
//   {"error":"full"}         `max_holders` other peers hold unexpired credentials
// Only peers in the peer table are answered, each at most a few times a
// minute (a token bucket on the injected clock); requests beyond that are
// dropped. Who holds credentials until when is kept in a RelayGrantStore, so
// the cap holds across restarts. The credential is never logged.
class RelayGrantIssuer {
 public:
  struct Limits {
    double per_minute = 4;          // answers per peer and minute, sustained
    double burst = 4;               // answers per peer at once
    std::size_t max_peers = 1024;   // rate-limit buckets kept
    std::size_t max_holders = 7;    // peers holding unexpired credentials at once (RelayConfig::max_grant_holders)
  };
  // The peer with this id in the peer table, if any.
  using FindPeer = std::function<std::optional<discovery::PeerInfo>(const std::string& id)>;
  // Whether the user here trusts the peer: it is on the "always accept" list (settings.autoAccept).
  using Trusted = std::function<bool(const std::string& id)>;
  // This daemon's relay with credentials for `user`, or nothing when it does not run (RelayService::ice_server).
  using IssueRelay = std::function<std::optional<RelayService::IceServer>(std::string_view user)>;
  // Queues a `relay:grant` with this payload for the peer (signaling).
  using Send = std::function<void(const std::string& peer_id, const std::string& payload)>;

  RelayGrantIssuer(const core::Clock& clock, RelayGrantStore& store, FindPeer find_peer, Trusted trusted,
                   IssueRelay issue_relay, Send send, core::Logger logger, Limits limits);

  // A `relay:request` from the peer `from` (already verified by signaling:
  // the envelope's signature and sender). Its payload is not read (`{}`).
  void on_request(const std::string& from);

  // The peers holding unexpired credentials now.
  std::size_t holders();

 private:
  void refuse(const std::string& to, std::string_view refusal);
  void forget_expired();

  const core::Clock& clock_;
  RelayGrantStore& store_;
  FindPeer find_peer_;
  Trusted trusted_;
  IssueRelay issue_relay_;
  Send send_;
  core::Logger logger_;
  Limits limits_;
  core::RateLimiter limiter_;
  std::map<std::string, std::int64_t> holders_;  // peer id → when its last credentials expire (Unix s)
};

}  // namespace peerdrop::relay
