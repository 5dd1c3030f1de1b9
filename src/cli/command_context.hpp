#pragma once

#include <ostream>

#include "cli/daemon_api.hpp"

namespace peerdrop::cli {

// What every command of `peerdrop` works with: its daemon, and where to write.
// A command prints its result to `out` and notes beside it to `err`; when it
// fails, it returns a Failure and CliApp prints it.
struct CommandContext {
  const DaemonApi& daemon;
  std::ostream& out;
  std::ostream& err;
};

}  // namespace peerdrop::cli
