#pragma once

#include <boost/json/object.hpp>
#include <set>
#include <string>
#include <vector>

#include "cli/peer_record.hpp"

namespace peerdrop::cli {

// The peers as `peerdrop peers` shows them, online ones first, then by name
// and id. `trusted` holds the ids whose files are accepted without asking.

// Sorted for showing: online first, then by name, then by id.
std::vector<PeerRecord> sorted_for_display(std::vector<PeerRecord> peers);

// A table for a person: NAME, ID (its first 7 characters), STATE, ADDRESSES,
// NOTES (trusted, unverified, outdated).
std::string peers_table(const std::vector<PeerRecord>& peers, const std::set<std::string>& trusted);

// `peerdrop peers --json` (docs/protocol.md, "The peerdrop command"):
// {"peers":[{"id","name","online","verified","outdated","trusted","addresses","lastSeen"}]}
boost::json::object peers_json(const std::vector<PeerRecord>& peers, const std::set<std::string>& trusted);

}  // namespace peerdrop::cli
