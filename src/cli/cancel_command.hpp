#pragma once

#include <string>

#include "cli/command_context.hpp"
#include "cli/failure.hpp"

namespace peerdrop::cli {

// `peerdrop cancel TRANSFER`: stops a transfer in either direction, offered
// or under way (DELETE /api/transfers/TID); the other daemon is told.
// TRANSFER is its id or its first 4 or more characters, among GET /api/transfers.
class CancelCommand {
 public:
  explicit CancelCommand(std::string transfer) : transfer_(std::move(transfer)) {}

  Outcome<> run(const CommandContext& context) const;

 private:
  std::string transfer_;
};

}  // namespace peerdrop::cli
