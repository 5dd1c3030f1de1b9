// The Settings switch "Run a relay on this computer" (`relay`, and --turn) on
// the real daemon binary with the real coturn, on loopback only (--loopback:
// the relay listens on 127.0.0.1, nothing leaves this machine).
#include <signal.h>
#include <stdlib.h>

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <cerrno>
#include <fstream>

#include "support/daemon_process.hpp"
#include "support/free_turn_port.hpp"
#include "support/temp_dir.hpp"
#include "support/ui_client.hpp"

namespace peerdrop::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kTurnserver = "/usr/bin/turnserver";

bool alive(int pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno != ESRCH); }

class RelayProcessTest : public ::testing::Test {
 protected:
  std::unique_ptr<DaemonProcess> start(std::vector<std::string> extra = {}) {
    const auto log = dir_.path() / ("alpha-" + std::to_string(++starts_) + ".log");
    std::vector<std::string> args{"--loopback", "--port", "0", "--name", "alpha", "--data-dir", data_dir().string(),
                                  "--download-dir", (dir_.path() / "downloads").string(), "--turn-port",
                                  std::to_string(turn_port_), "--log-level", "debug"};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<DaemonProcess>(log, args);
  }
  std::filesystem::path data_dir() const { return dir_.path() / "alpha"; }
  static json::value relay_health(const DaemonEndpoint& endpoint) {
    const auto answer = http_get(endpoint, "/api/health");
    if (answer.status != 200) return nullptr;
    const auto health = json::parse(answer.body);
    const auto* relay = health.as_object().if_contains("relay");
    return relay ? *relay : json::value(nullptr);
  }
  static bool relay_state_is(const DaemonEndpoint& endpoint, std::string_view state) {
    const auto relay = relay_health(endpoint);
    const auto* current = relay.is_object() ? relay.as_object().if_contains("state") : nullptr;
    return current && current->is_string() && current->get_string() == state;
  }
  static HttpAnswer put_settings(const DaemonEndpoint& endpoint, const std::string& body) {
    return http_get(endpoint, "/api/settings", "PUT", body);
  }
  // turnserver's pid from the pid file it writes, once it is there and alive.
  int turnserver_pid() const {
    int pid = 0;
    wait_until(
        [&] {
          std::ifstream in(data_dir() / "relay" / "turnserver.pid");
          pid = 0;
          in >> pid;
          return alive(pid);
        },
        5s);
    return pid;
  }
  // The next `relay` message's "relay" object (empty on timeout).
  static json::object next_relay(UiClient& tab) {
    const auto message = tab.next("relay");
    return message.empty() ? json::object{} : message.at("relay").as_object();
  }

  TempDir dir_;
  std::uint16_t turn_port_ = free_turn_port();
  int starts_ = 0;
};

TEST_F(RelayProcessTest, TheSettingsSwitchStartsAndStopsTheRelay) {
  if (!std::filesystem::exists(kTurnserver)) GTEST_SKIP() << kTurnserver << " is missing: install coturn (make deps)";
  auto daemon = start();
  const auto endpoint = endpoint_of(*daemon);
  const json::value off{{"enabled", false}, {"state", "off"}};
  EXPECT_EQ(relay_health(endpoint), off);
  EXPECT_EQ(json::parse(http_get(endpoint, "/api/settings").body).at("relay"), false);
  UiClient tab(endpoint);
  EXPECT_EQ(next_relay(tab), off.as_object());  // told on connect, also when off

  const auto on = put_settings(endpoint, R"({"relay":true})");
  ASSERT_EQ(on.status, 200) << on.body;
  EXPECT_EQ(json::parse(on.body).at("relay"), true);
  EXPECT_EQ(relay_health(endpoint), json::value({{"enabled", true}, {"state", "running"}, {"port", turn_port_}, {"restarts", 0}}))
      << daemon->log();
  auto pushed = next_relay(tab);
  ASSERT_FALSE(pushed.empty());
  EXPECT_EQ(pushed.at("enabled"), true);
  EXPECT_EQ(pushed.at("state"), "running");
  EXPECT_EQ(pushed.at("port"), turn_port_);
  EXPECT_EQ(pushed.at("addresses"), json::array{"127.0.0.1"});
  const int pid = turnserver_pid();
  ASSERT_TRUE(alive(pid)) << daemon->log();
  std::ifstream conf(data_dir() / "relay" / "turnserver.conf");
  std::stringstream text;
  text << conf.rdbuf();
  EXPECT_NE(text.str().find("\nlistening-port=" + std::to_string(turn_port_) + "\n"), std::string::npos);

  const auto stop = put_settings(endpoint, R"({"relay":false})");
  ASSERT_EQ(stop.status, 200) << stop.body;
  EXPECT_TRUE(wait_until([&] { return relay_state_is(endpoint, "off"); }, 5s)) << daemon->log();
  EXPECT_EQ(relay_health(endpoint), off);
  EXPECT_FALSE(alive(pid)) << "turnserver (pid " << pid << ") is still there";
  // The tab saw it stop: "stopping" (no longer enabled), then off.
  json::object last;
  while (true) {
    auto next = next_relay(tab);
    if (next.empty()) break;
    last = std::move(next);
    if (last.at("state") == "off") break;
  }
  EXPECT_EQ(last, off.as_object());
  EXPECT_NE(daemon->log().find("TURN relay (coturn) stopped"), std::string::npos) << daemon->log();

  daemon->signal(SIGTERM);
  ASSERT_EQ(daemon->wait_for_exit(5s), 0);
  // Off is stored too: the next start leaves it off.
  auto again = start();
  const auto endpoint_again = endpoint_of(*again);
  EXPECT_EQ(relay_health(endpoint_again), off);
}

TEST_F(RelayProcessTest, TurnTurnsTheSwitchOnAndItStaysOnAcrossARestart) {
  if (!std::filesystem::exists(kTurnserver)) GTEST_SKIP() << kTurnserver << " is missing: install coturn (make deps)";
  auto daemon = start({"--turn"});
  const auto endpoint = endpoint_of(*daemon);
  EXPECT_TRUE(wait_until([&] { return relay_state_is(endpoint, "running"); }, 5s)) << daemon->log();
  EXPECT_EQ(json::parse(http_get(endpoint, "/api/settings").body).at("relay"), true);
  const int pid = turnserver_pid();
  ASSERT_TRUE(alive(pid)) << daemon->log();
  daemon->signal(SIGTERM);
  ASSERT_EQ(daemon->wait_for_exit(5s), 0);
  EXPECT_FALSE(alive(pid));

  // No --turn now: the stored switch keeps it on, until it is turned off.
  auto again = start();
  const auto endpoint_again = endpoint_of(*again);
  EXPECT_TRUE(wait_until([&] { return relay_state_is(endpoint_again, "running"); }, 5s)) << again->log();
  const int pid_again = turnserver_pid();
  ASSERT_TRUE(alive(pid_again));
  ASSERT_EQ(put_settings(endpoint_again, R"({"relay":false})").status, 200);
  EXPECT_TRUE(wait_until([&] { return relay_state_is(endpoint_again, "off"); }, 5s)) << again->log();
  EXPECT_FALSE(alive(pid_again));
}

TEST_F(RelayProcessTest, WithoutTurnserverTheSwitchSaysWhyAndTheDaemonCarriesOn) {
  // A $PATH without turnserver, for this daemon only (the environment is copied at fork).
  const std::string saved = std::getenv("PATH") ? std::getenv("PATH") : "";
  const auto empty = dir_.path() / "empty-bin";
  std::filesystem::create_directories(empty);
  ::setenv("PATH", empty.c_str(), 1);
  auto daemon = start();
  ::setenv("PATH", saved.c_str(), 1);
  const auto endpoint = endpoint_of(*daemon);
  UiClient tab(endpoint);
  EXPECT_EQ(next_relay(tab).at("state"), "off");

  ASSERT_EQ(put_settings(endpoint, R"({"relay":true})").status, 200);
  EXPECT_EQ(relay_health(endpoint), json::value({{"enabled", true}, {"state", "failed"}, {"port", turn_port_}, {"restarts", 0}}));
  const auto failed = next_relay(tab);
  ASSERT_FALSE(failed.empty());
  EXPECT_EQ(failed.at("state"), "failed");
  EXPECT_NE(std::string(failed.at("reason").as_string()).find("coturn's turnserver is not installed"),
            std::string::npos)
      << failed.at("reason");
  EXPECT_TRUE(daemon->running());
  EXPECT_EQ(http_get(endpoint, "/api/peers").status, 200);  // still serving
  ASSERT_EQ(put_settings(endpoint, R"({"relay":false})").status, 200);
  EXPECT_TRUE(relay_state_is(endpoint, "off"));
}

}  // namespace
}  // namespace peerdrop::testing
