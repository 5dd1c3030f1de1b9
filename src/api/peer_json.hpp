#pragma once

#include <boost/json/value.hpp>

#include "api/peer_directory.hpp"
#include "discovery/peer_info.hpp"

namespace peerdrop::api {

// The JSON shapes of docs/protocol.md, in one place.
boost::json::value to_json(const discovery::PeerInfo& peer);
boost::json::value to_json(const ScanStatus& status);
boost::json::value to_json(const HealthInfo& health);

}  // namespace peerdrop::api
