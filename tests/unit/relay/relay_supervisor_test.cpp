#include "relay/relay_supervisor.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <csignal>
#include <sstream>

#include "support/fake_alarm.hpp"
#include "support/fake_clock.hpp"
#include "support/fake_process_launcher.hpp"

namespace peerdrop::relay {
namespace {

using namespace std::chrono_literals;
using State = RelaySupervisor::State;

using FakeLauncher = testing::FakeProcessLauncher;
using testing::FakeAlarm;

class RelaySupervisorTest : public ::testing::Test {
 protected:
  RelaySupervisorTest()
      : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(log_)),
        logger_(std::make_shared<spdlog::logger>("relay-test", sink_)),
        supervisor_(launcher_, alarm_, clock_, core::LaunchSpec{.program = "turnserver", .args = {"-c", "/d/t.conf"}},
                    RelaySupervisor::Policy{}, logger_) {
    sink_->set_pattern("%v");
    logger_->set_level(spdlog::level::info);
    supervisor_.set_health_changed([this] { states_.push_back(supervisor_.health().state); });
  }

  std::chrono::milliseconds delay_until_alarm() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(*alarm_.at() - clock_.now());
  }
  std::string log() const { return log_.str(); }

  std::ostringstream log_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
  core::Logger logger_;
  testing::FakeClock clock_;
  FakeLauncher launcher_;
  FakeAlarm alarm_;
  RelaySupervisor supervisor_;
  std::vector<State> states_;
};

TEST_F(RelaySupervisorTest, StartsTheChildWithItsSpec) {
  EXPECT_EQ(supervisor_.health().state, State::stopped);
  supervisor_.start();
  ASSERT_EQ(launcher_.specs.size(), 1u);
  EXPECT_EQ(launcher_.specs[0].program, "turnserver");
  EXPECT_EQ(launcher_.specs[0].args, (std::vector<std::string>{"-c", "/d/t.conf"}));
  EXPECT_EQ(supervisor_.health().state, State::running);
  EXPECT_EQ(supervisor_.health().pid, 100);
  EXPECT_EQ(supervisor_.health().restarts, 0u);
  EXPECT_FALSE(alarm_.at());
  EXPECT_NE(log().find("TURN relay (coturn) started (pid 100)"), std::string::npos) << log();
  supervisor_.start();  // already running: nothing more
  EXPECT_EQ(launcher_.specs.size(), 1u);
}

TEST_F(RelaySupervisorTest, RestartsWithABackoffThatDoublesUpToAMinute) {
  supervisor_.start();
  const std::vector<std::chrono::milliseconds> expected{1s, 2s, 4s, 8s, 16s, 32s, 60s, 60s};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    clock_.advance(300ms);
    launcher_.exit({.code = 1});
    EXPECT_EQ(supervisor_.health().state, State::restarting);
    EXPECT_EQ(supervisor_.health().pid, 0);
    EXPECT_FALSE(launcher_.alive);
    ASSERT_TRUE(alarm_.at());
    EXPECT_EQ(delay_until_alarm(), expected[i]) << "restart " << i + 1;
    EXPECT_EQ(supervisor_.health().next_start, alarm_.at());
    EXPECT_EQ(supervisor_.health().reason, "exited with code 1 after 0.3 s");
    alarm_.ring(clock_);
    EXPECT_EQ(supervisor_.health().state, State::running);
    EXPECT_EQ(supervisor_.health().restarts, i + 1);
  }
  EXPECT_EQ(launcher_.specs.size(), expected.size() + 1);
  EXPECT_NE(log().find("TURN relay (coturn) exited with code 1 after 0.3 s; restarting in 2 s"), std::string::npos)
      << log();
}

TEST_F(RelaySupervisorTest, ARunLongEnoughStartsTheBackoffOver) {
  supervisor_.start();
  for (int i = 0; i < 4; ++i) {  // 1, 2, 4, 8 s
    launcher_.exit({.code = 1});
    alarm_.ring(clock_);
  }
  clock_.advance(29s);
  launcher_.exit({.code = -1, .signal = SIGKILL});
  EXPECT_EQ(delay_until_alarm(), 16s);  // 29 s is not stable yet
  EXPECT_EQ(supervisor_.health().reason, "was killed by SIGKILL after 29 s");
  alarm_.ring(clock_);
  clock_.advance(30s);
  launcher_.exit({.code = 0});
  EXPECT_EQ(delay_until_alarm(), 1s);  // 30 s is
  EXPECT_NE(log().find("TURN relay (coturn) exited with code 0 after 30 s; restarting in 1 s"), std::string::npos);
}

TEST_F(RelaySupervisorTest, SaysWhenTurnserverIsNotInstalledAndKeepsTrying) {
  launcher_.fail = make_error_code(boost::system::errc::no_such_file_or_directory);
  supervisor_.start();
  EXPECT_EQ(supervisor_.health().state, State::failed);
  EXPECT_NE(supervisor_.health().reason.find("turnserver is not installed"), std::string::npos)
      << supervisor_.health().reason;
  EXPECT_NE(supervisor_.health().reason.find("coturn"), std::string::npos);
  EXPECT_EQ(delay_until_alarm(), 1s);
  alarm_.ring(clock_);
  EXPECT_EQ(supervisor_.health().state, State::failed);
  EXPECT_EQ(delay_until_alarm(), 2s);
  // Said once at warning level, not every minute.
  const auto text = log();
  EXPECT_EQ(text.find("could not be started"), text.rfind("could not be started")) << text;
  // Installed now: the next attempt works.
  launcher_.fail = {};
  alarm_.ring(clock_);
  EXPECT_EQ(supervisor_.health().state, State::running);
  EXPECT_TRUE(supervisor_.health().reason.empty());
}

TEST_F(RelaySupervisorTest, ARefusedPreparationIsRetriedLikeAFailedStart) {
  int calls = 0;
  supervisor_.set_before_start([&]() -> std::optional<std::string> {
    if (++calls == 1) return "cannot write /d/t.conf: No space left on device";
    return std::nullopt;
  });
  supervisor_.start();
  EXPECT_EQ(supervisor_.health().state, State::failed);
  EXPECT_EQ(supervisor_.health().reason, "cannot write /d/t.conf: No space left on device");
  EXPECT_TRUE(launcher_.specs.empty());
  alarm_.ring(clock_);
  EXPECT_EQ(supervisor_.health().state, State::running);
  EXPECT_EQ(calls, 2);
}

TEST_F(RelaySupervisorTest, StopsWithSigtermAndKillsAfterTheDeadline) {
  supervisor_.start();
  supervisor_.stop();
  EXPECT_EQ(supervisor_.health().state, State::stopping);
  EXPECT_EQ(launcher_.signals, std::vector<int>{SIGTERM});
  EXPECT_EQ(delay_until_alarm(), 3s);
  alarm_.ring(clock_);
  EXPECT_EQ(launcher_.signals, (std::vector<int>{SIGTERM, SIGKILL}));
  launcher_.exit({.code = -1, .signal = SIGKILL});
  EXPECT_EQ(supervisor_.health().state, State::stopped);
  EXPECT_FALSE(alarm_.at());  // not restarted
  EXPECT_FALSE(launcher_.alive);
  EXPECT_EQ(launcher_.specs.size(), 1u);
}

TEST_F(RelaySupervisorTest, AChildThatStopsInTimeIsNotKilled) {
  supervisor_.start();
  supervisor_.stop();
  clock_.advance(1700ms);
  launcher_.exit({.code = 0});
  EXPECT_EQ(supervisor_.health().state, State::stopped);
  EXPECT_EQ(launcher_.signals, std::vector<int>{SIGTERM});
  EXPECT_FALSE(alarm_.at());
  EXPECT_NE(log().find("TURN relay (coturn) stopped (exited with code 0)"), std::string::npos) << log();
}

TEST_F(RelaySupervisorTest, StoppingWhileWaitingToRestartCancelsTheRestart) {
  supervisor_.start();
  launcher_.exit({.code = 1});
  ASSERT_TRUE(alarm_.at());
  supervisor_.stop();
  EXPECT_EQ(supervisor_.health().state, State::stopped);
  EXPECT_FALSE(alarm_.at());
  EXPECT_EQ(launcher_.specs.size(), 1u);
}

TEST_F(RelaySupervisorTest, TellsEveryChangeOfState) {
  supervisor_.start();
  launcher_.exit({.code = 1});
  alarm_.ring(clock_);
  supervisor_.stop();
  launcher_.exit({.code = 0});
  EXPECT_EQ(states_, (std::vector<State>{State::running, State::restarting, State::running, State::stopping,
                                         State::stopped}));
}

TEST_F(RelaySupervisorTest, DestroyingItReleasesTheChild) {
  {
    FakeAlarm alarm;
    RelaySupervisor supervisor(launcher_, alarm, clock_, core::LaunchSpec{.program = "turnserver"}, {}, logger_);
    supervisor.start();
    EXPECT_TRUE(launcher_.alive);
  }
  EXPECT_FALSE(launcher_.alive);  // the handle's destructor stops the real child
}

TEST_F(RelaySupervisorTest, StartingAgainWhileWaitingForARetryChangesNothing) {
  launcher_.fail = make_error_code(boost::system::errc::no_such_file_or_directory);
  supervisor_.start();
  const auto next = alarm_.at();
  supervisor_.start();
  EXPECT_EQ(launcher_.specs.size(), 1u);  // no extra attempt, the backoff stands
  EXPECT_EQ(alarm_.at(), next);
  EXPECT_EQ(states_, std::vector<State>{State::failed});
}

TEST_F(RelaySupervisorTest, RestartStopsTheChildAndStartsItOnceItExited) {
  supervisor_.start();
  supervisor_.restart();
  EXPECT_EQ(supervisor_.health().state, State::stopping);
  EXPECT_EQ(launcher_.signals, std::vector<int>{SIGTERM});
  EXPECT_EQ(delay_until_alarm(), 3s);
  EXPECT_EQ(launcher_.specs.size(), 1u);
  launcher_.exit({.code = 0});
  EXPECT_EQ(supervisor_.health().state, State::running);
  EXPECT_EQ(supervisor_.health().pid, 101);
  EXPECT_EQ(supervisor_.health().restarts, 1u);
  EXPECT_EQ(launcher_.specs.size(), 2u);
  EXPECT_FALSE(alarm_.at());  // the SIGKILL deadline went with the old child
  EXPECT_EQ(states_, (std::vector<State>{State::running, State::stopping, State::running}));
  EXPECT_NE(log().find("restarting the TURN relay (coturn) (pid 100)"), std::string::npos) << log();
}

TEST_F(RelaySupervisorTest, RestartKillsAChildThatIgnoresSigterm) {
  supervisor_.start();
  supervisor_.restart();
  alarm_.ring(clock_);
  EXPECT_EQ(launcher_.signals, (std::vector<int>{SIGTERM, SIGKILL}));
  launcher_.exit({.code = -1, .signal = SIGKILL});
  EXPECT_EQ(supervisor_.health().state, State::running);
}

TEST_F(RelaySupervisorTest, RestartTriesAFailedStartNow) {
  launcher_.fail = make_error_code(boost::system::errc::no_such_file_or_directory);
  supervisor_.start();
  ASSERT_EQ(delay_until_alarm(), 1s);
  launcher_.fail = {};
  supervisor_.restart();
  EXPECT_EQ(supervisor_.health().state, State::running);
  EXPECT_EQ(launcher_.specs.size(), 2u);
  EXPECT_FALSE(alarm_.at());
}

TEST_F(RelaySupervisorTest, RestartDoesNothingWhenStopped) {
  supervisor_.restart();
  EXPECT_TRUE(launcher_.specs.empty());
  supervisor_.start();
  supervisor_.stop();
  launcher_.exit({.code = 0});
  supervisor_.restart();
  EXPECT_EQ(supervisor_.health().state, State::stopped);
  EXPECT_EQ(launcher_.specs.size(), 1u);
}

TEST_F(RelaySupervisorTest, StartingWhileStoppingStartsAgainOnceTheOldChildExited) {
  supervisor_.start();
  supervisor_.stop();
  supervisor_.start();
  EXPECT_EQ(supervisor_.health().state, State::stopping);
  EXPECT_EQ(launcher_.specs.size(), 1u);
  launcher_.exit({.code = 0});
  EXPECT_EQ(supervisor_.health().state, State::running);
  EXPECT_EQ(launcher_.specs.size(), 2u);
  EXPECT_EQ(supervisor_.health().restarts, 0u);  // turned on anew
}

TEST_F(RelaySupervisorTest, StoppingTwiceKeepsTheKillDeadline) {
  supervisor_.start();
  supervisor_.stop();
  clock_.advance(1s);
  supervisor_.start();
  supervisor_.stop();
  ASSERT_TRUE(alarm_.at());
  EXPECT_EQ(delay_until_alarm(), 2s);  // still 3 s after the first SIGTERM
  alarm_.ring(clock_);
  EXPECT_EQ(launcher_.signals, (std::vector<int>{SIGTERM, SIGKILL}));
  launcher_.exit({.code = -1, .signal = SIGKILL});
  EXPECT_EQ(supervisor_.health().state, State::stopped);
  EXPECT_EQ(launcher_.specs.size(), 1u);
}

TEST(RelaySupervisorNames, StatesHaveTheirDocumentedNames) {
  EXPECT_STREQ(RelaySupervisor::to_string(State::running), "running");
  EXPECT_STREQ(RelaySupervisor::to_string(State::restarting), "restarting");
  EXPECT_STREQ(RelaySupervisor::to_string(State::failed), "failed");
  EXPECT_STREQ(RelaySupervisor::to_string(State::stopped), "stopped");
  EXPECT_STREQ(RelaySupervisor::to_string(State::stopping), "stopping");
}

}  // namespace
}  // namespace peerdrop::relay
