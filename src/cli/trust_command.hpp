#pragma once

#include <string>

#include "cli/command_context.hpp"
#include "cli/failure.hpp"

namespace peerdrop::cli {

// `peerdrop trust PEER` and `peerdrop untrust PEER`: whether the daemon
// accepts PEER's files and connection requests without asking, and gives it
// credentials for this computer's relay (the setting autoAccept, "Always
// accept files from …" in the UI).
class TrustCommand {
 public:
  TrustCommand(std::string peer, bool trust) : peer_(std::move(peer)), trust_(trust) {}

  Outcome<> run(const CommandContext& context) const;

 private:
  std::string peer_;
  bool trust_;
};

}  // namespace peerdrop::cli
