#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "cli/daemon_health.hpp"
#include "cli/daemon_settings.hpp"
#include "cli/peer_record.hpp"
#include "control/control_endpoint.hpp"

namespace peerdrop::cli {

// What `peerdrop status` knows about this machine's PeerDrop.
struct StatusFacts {
  DaemonHealth health;
  DaemonSettings settings;
  std::vector<PeerRecord> peers;
  control::ControlEndpoint endpoint;
  std::filesystem::path data_dir;
};

// `peerdrop status` for a person: this machine's name and id, its daemon
// (version, pid, address), the data dir, peers online and known, the relay,
// the download folder.
std::string status_text(const StatusFacts& facts);

}  // namespace peerdrop::cli
