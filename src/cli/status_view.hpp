#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "cli/daemon_health.hpp"
#include "cli/daemon_settings.hpp"
#include "cli/peer_record.hpp"
#include "cli/transfer_record.hpp"
#include "control/control_endpoint.hpp"

namespace peerdrop::cli {

// What `peerdrop status` knows about this machine's PeerDrop.
struct StatusFacts {
  DaemonHealth health;
  DaemonSettings settings;
  std::vector<PeerRecord> peers;
  control::ControlEndpoint endpoint;
  std::filesystem::path data_dir;
  std::vector<TransferRecord> transfers;  // GET /api/transfers: those in progress are shown
};

// `peerdrop status` for a person: this machine's name and id, its daemon
// (version, pid, address), the data dir, peers online and known, the relay,
// the download folder, and the transfers in progress in both directions.
std::string status_text(const StatusFacts& facts);

}  // namespace peerdrop::cli
