#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/process_launcher.hpp"

namespace peerdrop::core {

// A child process started with fork + exec and watched through a pidfd on
// the event loop (no SIGCHLD handler, so no other child is reaped by
// mistake). The child gets its own process group, stdin from /dev/null,
// stdout and stderr appended to the spec's output file (created 0600), and
// PR_SET_PDEATHSIG = SIGKILL: it dies with peerdropd even after a SIGKILL or
// a crash, so it can never linger holding its ports. An exec failure
// (program missing, not executable) is reported by spawn() itself, through
// a close-on-exec pipe.
class ChildProcess final : public RunningProcess {
 public:
  // How long the destructor waits after SIGTERM before SIGKILL.
  static constexpr std::chrono::milliseconds kDestroyGrace{2'000};

  static boost::system::result<std::unique_ptr<ChildProcess>> spawn(boost::asio::any_io_executor executor,
                                                                    const LaunchSpec& spec,
                                                                    ProcessLauncher::ExitHandler on_exit);

  // The executable `program` names: itself if it has a '/', else the first
  // executable file of that name in $PATH. Nothing if there is none.
  static std::optional<std::filesystem::path> find_program(const std::string& program);

  ~ChildProcess() override;  // a child still running: SIGTERM, SIGKILL after kDestroyGrace, reaped
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  int pid() const override;
  void signal(int signal) override;

  struct Watch;  // the pidfd and the exit handler, shared with the pending wait

 private:
  explicit ChildProcess(std::shared_ptr<Watch> watch) : watch_(std::move(watch)) {}
  std::shared_ptr<Watch> watch_;
};

// The ProcessLauncher the daemon uses: ChildProcess::spawn on one executor.
class ChildProcessLauncher final : public ProcessLauncher {
 public:
  explicit ChildProcessLauncher(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}
  boost::system::result<std::unique_ptr<RunningProcess>> launch(const LaunchSpec& spec, ExitHandler on_exit) override;

 private:
  boost::asio::any_io_executor executor_;
};

}  // namespace peerdrop::core
