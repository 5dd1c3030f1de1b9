#pragma once

#include <boost/json/value.hpp>

#include "discovery/peer_directory.hpp"
#include "discovery/peer_info.hpp"

namespace peerdrop::discovery {

// The JSON shapes of docs/protocol.md, in one place.
// `relay_ready`: this daemon holds valid credentials for the peer's relay
// ("relay":"ready"); else a peer that offers one is "relay":"offered".
boost::json::value to_json(const PeerInfo& peer, bool relay_ready = false);
boost::json::value to_json(const ScanStatus& status);
boost::json::value to_json(const HealthInfo& health);

}  // namespace peerdrop::discovery
