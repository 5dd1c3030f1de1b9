#pragma once

#include <chrono>
#include <ostream>

namespace peerdrop::cli {

// `peerdrop`: reads the command line (CLI11), finds the daemon of the data
// dir, runs the command and says how it went. Each command is a class of its
// own (StatusCommand, PeersCommand, …) that gets a CommandContext; adding
// one is its class and a few lines in run().
class CliApp {
 public:
  static constexpr std::chrono::milliseconds kTimeout{5'000};  // for each request to the daemon

  CliApp(std::ostream& out, std::ostream& err) : out_(out), err_(err) {}

  // The exit code: 0 done, 1 failed, 2 a command line that was not understood.
  int run(int argc, const char* const* argv);

 private:
  std::ostream& out_;
  std::ostream& err_;
};

}  // namespace peerdrop::cli
