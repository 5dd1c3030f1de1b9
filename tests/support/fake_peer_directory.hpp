#pragma once

#include <string>
#include <utility>
#include <vector>

#include "discovery/peer_directory.hpp"

namespace peerdrop::testing {

// A PeerDirectory that records what the API asked of it.
class FakePeerDirectory : public discovery::PeerDirectory {
 public:
  discovery::HealthInfo health() override {
    return {.id = "SELFSELFSELFSELFSELFSELFSELFSELFSELFSELFSELFSELFSELF",
            .name = "self",
            .port = 3001,
            .discovery_port = 3001,
            .announcement_base64 = "AAAA"};
  }
  std::vector<discovery::PeerInfo> peers() const override { return known; }
  boost::asio::awaitable<discovery::AddPeerResult> add_manual_peer(std::string address) override {
    added.push_back(address);
    if (address == "198.51.100.7:3001") {
      discovery::PeerInfo peer;
      peer.id = "PEERPEERPEERPEERPEERPEERPEERPEERPEERPEERPEERPEERPEER";
      peer.name = "seven";
      peer.addresses = {{"198.51.100.7", 3001}};
      peer.online = true;
      peer.sources = static_cast<unsigned>(discovery::PeerSource::manual);
      co_return discovery::AddPeerResult{.peer = peer};
    }
    co_return discovery::AddPeerResult{.code = "peer_unreachable", .message = "nothing answered"};
  }
  bool forget_peer(const std::string& id) override {
    forgotten.push_back(id);
    return !known.empty() && known.front().id == id;
  }
  // Marks a known peer; one that is not `verified` answers not_verified, as the real directory does.
  discovery::ConfirmPeerResult set_confirmed(const std::string& id, bool confirmed) override {
    confirmations.emplace_back(id, confirmed);
    for (auto& peer : known) {
      if (peer.id != id) continue;
      if (confirmed && !peer.verified) return {.code = "not_verified", .message = "not proven yet"};
      peer.confirmed = confirmed;
      return {.peer = peer};
    }
    return {.code = "not_found", .message = "no such peer"};
  }
  discovery::ScanStatus start_scan() override {
    ++scans;
    return {.running = true};
  }
  discovery::ScanStatus scan_status() const override { return {}; }

  std::vector<discovery::PeerInfo> known;
  std::vector<std::string> added;
  std::vector<std::string> forgotten;
  std::vector<std::pair<std::string, bool>> confirmations;
  int scans = 0;
};

}  // namespace peerdrop::testing
