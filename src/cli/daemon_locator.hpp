#pragma once

#include <chrono>
#include <filesystem>

#include "cli/control_client.hpp"
#include "cli/failure.hpp"

namespace peerdrop::cli {

// Finds the peerdropd of a data dir and what it takes to drive it: its
// control endpoint file (docs/protocol.md) names where it listens; the file
// counts only while its process lives (and is this user's) and the daemon
// there answers GET /api/health, without the token, with the file's id. Only
// then is the control token read and sent: a stale file never sends the key
// to whatever took the port since.
class DaemonLocator {
 public:
  DaemonLocator(std::filesystem::path data_dir, std::chrono::milliseconds timeout);

  // A client that carries the token, or why there is none ("peerdropd is not
  // running for …; start it with …", a damaged file, a daemon that does not answer).
  Outcome<ControlClient> locate() const;

 private:
  Failure not_running() const;

  std::filesystem::path data_dir_;
  std::chrono::milliseconds timeout_;
};

}  // namespace peerdrop::cli
