#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "core/process_launcher.hpp"

namespace peerdrop::testing {

// A ProcessLauncher whose children run until the test says they exit; it
// records what it was asked to start and the signals the latest child got.
class FakeProcessLauncher final : public core::ProcessLauncher {
 public:
  boost::system::result<std::unique_ptr<core::RunningProcess>> launch(const core::LaunchSpec& spec,
                                                                      ExitHandler on_exit) override {
    specs.push_back(spec);
    if (fail) return fail;
    on_exit_ = std::move(on_exit);
    signals.clear();
    current_pid_ = next_pid++;
    alive = true;
    return std::unique_ptr<core::RunningProcess>(new Process(*this, current_pid_));
  }
  // The latest child exits now.
  void exit(core::ExitStatus status) {
    auto handler = std::move(on_exit_);
    ASSERT_TRUE(handler) << "no process is running";
    handler(status);
  }
  bool running() const { return static_cast<bool>(on_exit_); }

  std::vector<core::LaunchSpec> specs;
  std::vector<int> signals;       // of the latest child
  boost::system::error_code fail;  // set: launch fails with it
  bool alive = false;              // the latest child's handle exists
  int next_pid = 100;

 private:
  // The handle of a child; destroying the latest one clears `alive`.
  class Process final : public core::RunningProcess {
   public:
    Process(FakeProcessLauncher& launcher, int pid) : launcher_(launcher), pid_(pid) {}
    ~Process() override {
      if (launcher_.current_pid_ == pid_) launcher_.alive = false;
    }
    int pid() const override { return pid_; }
    void signal(int s) override {
      if (launcher_.current_pid_ == pid_) launcher_.signals.push_back(s);
    }

   private:
    FakeProcessLauncher& launcher_;
    int pid_;
  };

  ExitHandler on_exit_;
  int current_pid_ = 0;
};

}  // namespace peerdrop::testing
