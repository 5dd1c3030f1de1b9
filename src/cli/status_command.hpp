#pragma once

#include "cli/command_context.hpp"
#include "cli/failure.hpp"

namespace peerdrop::cli {

// `peerdrop status`: this machine's PeerDrop (name, id, daemon, peers, relay)
// and the transfers in progress, both directions.
class StatusCommand {
 public:
  Outcome<> run(const CommandContext& context) const;
};

}  // namespace peerdrop::cli
