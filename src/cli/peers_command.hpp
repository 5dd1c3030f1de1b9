#pragma once

#include "cli/command_context.hpp"
#include "cli/failure.hpp"

namespace peerdrop::cli {

// `peerdrop peers [--json]`: every peer the daemon knows, online ones first.
class PeersCommand {
 public:
  explicit PeersCommand(bool json) : json_(json) {}

  Outcome<> run(const CommandContext& context) const;

 private:
  bool json_;
};

}  // namespace peerdrop::cli
