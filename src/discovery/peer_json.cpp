#include "discovery/peer_json.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace peerdrop::discovery {

boost::json::value to_json(const PeerInfo& peer, bool relay_ready) {
  boost::json::array addresses;
  for (const auto& a : peer.addresses) addresses.emplace_back(a.to_string());
  boost::json::array candidates;
  for (const auto& a : peer.candidates) candidates.emplace_back(a.to_string());
  boost::json::array sources;
  for (const auto& s : source_names(peer.sources)) sources.emplace_back(s);
  boost::json::object out{
      {"id", peer.id},
      {"name", peer.name},
      {"addresses", std::move(addresses)},
      {"candidates", std::move(candidates)},
      {"verified", peer.verified},
      {"channel", peer.channel},
      {"online", peer.online},
      {"sources", std::move(sources)},
      {"lastSeen", peer.last_seen_ms},
      {"lastConnected", peer.last_connected_ms},
      {"firstSeen", peer.first_seen_ms},
      {"confirmed", peer.confirmed},
  };
  if (peer.outdated) out["outdated"] = true;
  // Only a key a handshake proved is worth comparing.
  if (peer.verified && !peer.verification_code.empty()) out["verificationCode"] = peer.verification_code;
  if (relay_ready) {
    out["relay"] = "ready";
  } else if (peer.relay) {
    out["relay"] = "offered";
  }
  return out;
}

boost::json::value to_json(const ScanStatus& status) {
  boost::json::array subnets;
  for (const auto& s : status.subnets) subnets.emplace_back(s);
  return boost::json::object{
      {"running", status.running},          {"startedAt", status.started_at_ms}, {"durationMs", status.duration_ms},
      {"probed", status.probed},            {"found", status.found},             {"subnets", std::move(subnets)},
  };
}

boost::json::value to_json(const HealthInfo& health) {
  return boost::json::object{
      {"status", "ok"},
      {"id", health.id},
      {"name", health.name},
      {"version", PEERDROP_VERSION},
      {"port", health.port},
      {"discoveryPort", health.discovery_port},
      {"announcement", health.announcement_base64},
      {"peers", boost::json::object{{"size", health.peers.size},
                                    {"max", health.peers.max},
                                    {"verified", health.peers.verified},
                                    {"channels", health.peers.channels},
                                    {"refused", health.peers.refused},
                                    {"evicted", health.peers.evicted}}},
  };
}

}  // namespace peerdrop::discovery
