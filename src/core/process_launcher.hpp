#pragma once

#include <boost/system/result.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace peerdrop::core {

// How a child process ended.
struct ExitStatus {
  int code = -1;   // exit code, or -1 when killed by a signal
  int signal = 0;  // the signal that killed it, or 0

  // "exited with code 1", "was killed by SIGKILL"
  std::string describe() const;
};

// What to start: the program (a name looked up in $PATH, or a path), its
// arguments (never a secret: they are visible in `ps`), and the file its
// stdout and stderr are appended to.
struct LaunchSpec {
  std::string program;
  std::vector<std::string> args;
  std::filesystem::path output_file;
};

// A started child. Destroying the handle stops the child if it still runs
// (SIGTERM, SIGKILL after a short wait) and reaps it: no child outlives its handle.
class RunningProcess {
 public:
  virtual ~RunningProcess() = default;
  virtual int pid() const = 0;
  virtual void signal(int signal) = 0;
};

// Starts children. The exit callback runs once, on the owner's event loop,
// unless the handle is destroyed first.
class ProcessLauncher {
 public:
  using ExitHandler = std::function<void(ExitStatus)>;
  virtual ~ProcessLauncher() = default;
  // Errors: errc::no_such_file_or_directory (program not found),
  // errc::permission_denied (not executable), or what fork/exec reported.
  virtual boost::system::result<std::unique_ptr<RunningProcess>> launch(const LaunchSpec& spec,
                                                                       ExitHandler on_exit) = 0;
};

}  // namespace peerdrop::core
