#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/logging.hpp"
#include "discovery/peer_info.hpp"
#include "core/rate_limiter.hpp"
#include "relay/relay_service.hpp"

namespace peerdrop::relay {

// The relay daemon's side of shared relays (docs/protocol.md, "Shared
// relays"): answers a peer's `relay:request` with a `relay:grant`, TURN
// credentials for this daemon's relay issued to the peer's id, the password
// sealed to the peer's key, or with {"error":"off"} while the relay is not
// running. Only peers in the peer table are answered, each at most a few
// times a minute (a token bucket on the injected clock); requests beyond
// that are dropped. The credential is never logged.
class RelayGrantIssuer {
 public:
  struct Limits {
    double per_minute = 4;         // answers per peer and minute, sustained
    double burst = 4;              // answers per peer at once
    std::size_t max_peers = 1024;  // rate-limit buckets kept
  };
  // The peer with this id in the peer table, if any.
  using FindPeer = std::function<std::optional<discovery::PeerInfo>(const std::string& id)>;
  // This daemon's relay with credentials for `user`, or nothing when it does not run (RelayService::ice_server).
  using IssueRelay = std::function<std::optional<RelayService::IceServer>(std::string_view user)>;
  // Queues a `relay:grant` with this payload for the peer (signaling).
  using Send = std::function<void(const std::string& peer_id, const std::string& payload)>;

  RelayGrantIssuer(const core::Clock& clock, FindPeer find_peer, IssueRelay issue_relay, Send send, core::Logger logger,
                   Limits limits);
  RelayGrantIssuer(const core::Clock& clock, FindPeer find_peer, IssueRelay issue_relay, Send send, core::Logger logger)
      : RelayGrantIssuer(clock, std::move(find_peer), std::move(issue_relay), std::move(send), std::move(logger),
                         Limits{}) {}

  // A `relay:request` from the peer `from` (already verified by signaling:
  // the envelope's signature and sender). Its payload is not read (`{}`).
  void on_request(const std::string& from);

 private:
  FindPeer find_peer_;
  IssueRelay issue_relay_;
  Send send_;
  core::Logger logger_;
  core::RateLimiter limiter_;
};

}  // namespace peerdrop::relay
