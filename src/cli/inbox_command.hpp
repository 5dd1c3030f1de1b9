#pragma once

#include "cli/command_context.hpp"
#include "cli/failure.hpp"
#include "core/clock.hpp"

namespace peerdrop::cli {

// `peerdrop inbox [--json]`: what waits here for an answer: offers of files
// (GET /api/offers). Unread messages join it once the daemon keeps them.
class InboxCommand {
 public:
  InboxCommand(bool json, const core::Clock& clock) : json_(json), clock_(clock) {}

  Outcome<> run(const CommandContext& context) const;

 private:
  bool json_;
  const core::Clock& clock_;
};

}  // namespace peerdrop::cli
