#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "discovery/announcement.hpp"
#include "discovery/peer_info.hpp"

namespace peerdrop::discovery {

struct ScanStatus {
  bool running = false;
  std::int64_t started_at_ms = 0;
  std::int64_t duration_ms = 0;
  std::size_t probed = 0;
  std::size_t found = 0;
  std::vector<std::string> subnets;
};

// How full the peer table is and what it refused (counts only).
struct PeerTableStats {
  std::size_t size = 0;
  std::size_t max = 0;
  std::size_t verified = 0;
  std::size_t channels = 0;
  std::uint64_t refused = 0;  // new identities refused: too many from one address, or the table full
  std::uint64_t evicted = 0;  // unverified peers pushed out to make room
};

struct HealthInfo {
  std::string id;
  std::string name;
  std::uint16_t port = 0;
  std::uint16_t discovery_port = 0;
  std::string announcement_base64;  // a freshly signed reply packet
  PeerTableStats peers;
};

struct AddPeerResult {
  std::optional<discovery::PeerInfo> peer;  // set on success
  std::string code;                         // "bad_request" or "peer_unreachable" on failure
  std::string message;
};

struct ConfirmPeerResult {
  std::optional<discovery::PeerInfo> peer;  // set on success: the peer as it is now
  std::string code;                         // "not_found" or "not_verified" on failure
  std::string message;
};

// What the HTTP API needs from discovery. DiscoveryService implements it;
// tests use a fake, so the request handler is tested without a network.
class PeerDirectory {
 public:
  virtual ~PeerDirectory() = default;

  // Answers anyone (GET /api/health), with no side effect.
  virtual HealthInfo health() = 0;
  virtual std::vector<discovery::PeerInfo> peers() const = 0;
  virtual boost::asio::awaitable<AddPeerResult> add_manual_peer(std::string address) = 0;
  virtual bool forget_peer(const std::string& id) = 0;
  // The user compared verification codes and marks the peer verified
  // (`confirmed`), or takes that back. Persisted; only a peer whose key a
  // handshake proved can be marked.
  virtual ConfirmPeerResult set_confirmed(const std::string& id, bool confirmed) = 0;
  virtual ScanStatus start_scan() = 0;
  virtual ScanStatus scan_status() const = 0;
};

}  // namespace peerdrop::discovery
