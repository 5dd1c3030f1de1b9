#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/logging.hpp"
#include "core/alarm.hpp"
#include "core/process_launcher.hpp"

namespace peerdrop::relay {

// Keeps one child process (the TURN relay's turnserver) running: starts it,
// restarts it when it exits with exponential backoff (first_delay doubling to
// max_delay; a run of at least stable_after starts over at first_delay),
// stops it (SIGTERM, SIGKILL after stop_timeout), and says how it is (health)
// in words for an operator. Pure logic over a ProcessLauncher, an Alarm and
// a Clock: the tests drive it with fakes, without sleeping.
class RelaySupervisor {
 public:
  enum class State {
    stopped,     // not started, or stopped on request
    running,     // the child runs
    restarting,  // the child exited; it is started again at `next_start`
    failed,      // the child could not be started (e.g. not installed); tried again at `next_start`
    stopping,    // SIGTERM sent, waiting for the exit
  };

  struct Policy {
    std::chrono::milliseconds first_delay{1'000};
    std::chrono::milliseconds max_delay{60'000};
    std::chrono::milliseconds stable_after{30'000};
    std::chrono::milliseconds stop_timeout{3'000};
  };

  struct Health {
    State state = State::stopped;
    std::string reason;          // why it is not running, for a person ("exited with code 1 after 0.3 s")
    int pid = 0;                 // while running or stopping
    std::uint32_t restarts = 0;  // starts after the first one
    std::optional<core::Clock::TimePoint> since;       // running since
    std::optional<core::Clock::TimePoint> next_start;  // restarting or failed: the next attempt
  };

  // `label` names the child in log lines ("TURN relay (coturn)"). `before_start`
  // runs before every start and may refuse it with a sentence (the
  // configuration could not be written); it is then tried again like a failed start.
  RelaySupervisor(core::ProcessLauncher& launcher, core::Alarm& alarm, const core::Clock& clock, core::LaunchSpec spec, Policy policy,
                  core::Logger logger, std::string label = "TURN relay (coturn)");
  ~RelaySupervisor();
  RelaySupervisor(const RelaySupervisor&) = delete;
  RelaySupervisor& operator=(const RelaySupervisor&) = delete;

  void set_before_start(std::function<std::optional<std::string>()> hook) { before_start_ = std::move(hook); }
  // Called after every change of state (to tell the UI).
  void set_health_changed(std::function<void()> handler) { health_changed_ = std::move(handler); }

  // Keeps the child running from now on; again while it is wanted: nothing.
  // While a stop is still under way, the child is started again once it exited.
  // Turning it on starts the backoff and the count of restarts over.
  void start();
  // SIGTERM, then SIGKILL after the stop timeout; `stopped` once it exited.
  void stop();
  // Stops the running child the same way and starts it again as soon as it
  // exited (a new configuration); a child waiting for its next attempt
  // (restarting, failed) is started now. Nothing unless it is wanted.
  void restart();
  const Health& health() const { return health_; }
  static const char* to_string(State state);

 private:
  void launch();
  void terminate();  // SIGTERM now, SIGKILL at the stop timeout
  void exited(std::uint64_t generation, core::ExitStatus status);
  void schedule_restart(std::string reason, bool failed_to_start);
  void wake_up();
  void set_state(State state);
  std::chrono::milliseconds next_delay();

  core::ProcessLauncher& launcher_;
  core::Alarm& alarm_;
  const core::Clock& clock_;
  core::LaunchSpec spec_;
  Policy policy_;
  core::Logger logger_;
  std::string label_;
  std::function<std::optional<std::string>()> before_start_;
  std::function<void()> health_changed_;
  std::unique_ptr<core::RunningProcess> process_;
  std::uint64_t generation_ = 0;  // which launch an exit belongs to
  std::chrono::milliseconds delay_{0};
  std::string last_failure_;       // a failure to start repeats quietly
  Health health_;
  bool wanted_ = false;
};

}  // namespace peerdrop::relay
