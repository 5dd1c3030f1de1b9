#include "relay/relay_supervisor.hpp"

#include <csignal>
#include <cstdio>

namespace peerdrop::relay {
namespace {

// "0.3 s", "12 s", "5 min": durations as an operator reads them.
std::string words(std::chrono::milliseconds duration) {
  const auto ms = duration.count();
  char text[32];
  if (ms < 10'000) {
    std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(ms) / 1000.0);
    std::string out = text;
    if (out.ends_with(".0 s")) out.erase(out.size() - 4, 2);  // "2 s", not "2.0 s"
    return out;
  }
  if (ms < 120'000) return std::to_string(ms / 1000) + " s";
  if (ms < 2 * 3'600'000) return std::to_string(ms / 60'000) + " min";
  return std::to_string(ms / 3'600'000) + " h";
}

std::string start_failure(const std::string& program, const boost::system::error_code& ec) {
  if (ec == boost::system::errc::no_such_file_or_directory) {
    return "coturn's " + program +
           " is not installed: install the coturn package (apt-get install coturn; make run does)";
  }
  if (ec == boost::system::errc::permission_denied) return program + " cannot be run: permission denied";
  return "cannot start " + program + ": " + ec.message();
}

}  // namespace

RelaySupervisor::RelaySupervisor(core::ProcessLauncher& launcher, core::Alarm& alarm, const core::Clock& clock, core::LaunchSpec spec,
                                 Policy policy, core::Logger logger, std::string label)
    : launcher_(launcher),
      alarm_(alarm),
      clock_(clock),
      spec_(std::move(spec)),
      policy_(policy),
      logger_(std::move(logger)),
      label_(std::move(label)) {}

RelaySupervisor::~RelaySupervisor() {
  alarm_.cancel();
  process_.reset();  // a child still running is stopped and reaped by its handle
}

const char* RelaySupervisor::to_string(State state) {
  switch (state) {
    case State::stopped: return "stopped";
    case State::running: return "running";
    case State::restarting: return "restarting";
    case State::failed: return "failed";
    case State::stopping: return "stopping";
  }
  return "stopped";
}

void RelaySupervisor::start() {
  if (wanted_) return;
  wanted_ = true;
  health_.restarts = 0;
  delay_ = std::chrono::milliseconds(0);
  last_failure_.clear();
  if (health_.state == State::stopping) return;  // started again once the old child exited
  launch();
}

void RelaySupervisor::stop() {
  wanted_ = false;
  if (health_.state == State::stopping) return;  // under way; the SIGKILL deadline stands
  alarm_.cancel();
  health_.next_start.reset();
  if (process_ && health_.state == State::running) {
    logger_->info("stopping the {} (pid {})", label_, health_.pid);
    terminate();
    return;
  }
  health_.reason.clear();
  set_state(State::stopped);
}

void RelaySupervisor::restart() {
  if (!wanted_) return;
  switch (health_.state) {
    case State::running:
      if (!process_) return;
      ++health_.restarts;
      logger_->info("restarting the {} (pid {})", label_, health_.pid);
      terminate();
      return;
    case State::restarting:
    case State::failed:
      ++health_.restarts;
      launch();
      return;
    case State::stopping:  // started again once it exited
    case State::stopped:
      return;
  }
}

void RelaySupervisor::terminate() {
  process_->signal(SIGTERM);
  alarm_.set(clock_.now() + policy_.stop_timeout, [this] { wake_up(); });
  set_state(State::stopping);
}

void RelaySupervisor::launch() {
  alarm_.cancel();
  health_.next_start.reset();
  if (before_start_) {
    if (auto problem = before_start_()) {
      schedule_restart(std::move(*problem), true);
      return;
    }
  }
  const auto generation = ++generation_;
  auto launched = launcher_.launch(spec_, [this, generation](core::ExitStatus status) { exited(generation, status); });
  if (!launched) {
    schedule_restart(start_failure(spec_.program, launched.error()), true);
    return;
  }
  process_ = std::move(*launched);
  health_.pid = process_->pid();
  health_.since = clock_.now();
  health_.reason.clear();
  logger_->info("{} started (pid {})", label_, health_.pid);
  last_failure_.clear();
  set_state(State::running);
}

void RelaySupervisor::exited(std::uint64_t generation, core::ExitStatus status) {
  if (generation != generation_) return;  // an earlier child's late news
  const auto ran = std::chrono::duration_cast<std::chrono::milliseconds>(
      clock_.now() - health_.since.value_or(clock_.now()));
  auto process = std::move(process_);  // released when this returns (the handle's own handler is running)
  health_.pid = 0;
  health_.since.reset();
  alarm_.cancel();
  if (!wanted_) {
    logger_->info("{} stopped ({})", label_, status.describe());
    health_.reason.clear();
    set_state(State::stopped);
    return;
  }
  if (health_.state == State::stopping) {  // stopped to be started again (restart, or turned on again meanwhile)
    logger_->info("{} stopped ({}); starting it again", label_, status.describe());
    launch();
    return;
  }
  if (ran >= policy_.stable_after) delay_ = std::chrono::milliseconds(0);  // it ran well: start over at 1 s
  schedule_restart(status.describe() + " after " + words(ran), false);
}

std::chrono::milliseconds RelaySupervisor::next_delay() {
  delay_ = delay_.count() == 0 ? policy_.first_delay : std::min(delay_ * 2, policy_.max_delay);
  return delay_;
}

void RelaySupervisor::schedule_restart(std::string reason, bool failed_to_start) {
  const auto delay = next_delay();
  const auto at = clock_.now() + delay;
  if (failed_to_start) {
    // The same reason again (coturn still not installed) is worth a line at debug level only.
    if (reason != last_failure_) {
      logger_->warn("{} could not be started: {}; trying again in {}", label_, reason, words(delay));
    } else {
      logger_->debug("{} could not be started: {}; trying again in {}", label_, reason, words(delay));
    }
    last_failure_ = reason;
  } else {
    logger_->warn("{} {}; restarting in {}", label_, reason, words(delay));
  }
  health_.reason = std::move(reason);
  health_.next_start = at;
  alarm_.set(at, [this] { wake_up(); });
  set_state(failed_to_start ? State::failed : State::restarting);
}

void RelaySupervisor::wake_up() {
  if (health_.state == State::stopping) {
    if (process_) {
      logger_->warn("the {} did not stop within {} of SIGTERM; killing it", label_, words(policy_.stop_timeout));
      process_->signal(SIGKILL);
    }
    return;
  }
  if (!wanted_ || (health_.state != State::restarting && health_.state != State::failed)) return;
  ++health_.restarts;
  launch();
}

void RelaySupervisor::set_state(State state) {
  health_.state = state;
  if (health_changed_) health_changed_();
}

}  // namespace peerdrop::relay
