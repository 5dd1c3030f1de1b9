#include "relay/relay_service.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <csignal>
#include <fstream>
#include <sstream>

#include "support/fake_alarm.hpp"
#include "support/fake_clock.hpp"
#include "support/fake_process_launcher.hpp"
#include "support/temp_dir.hpp"

namespace peerdrop::relay {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using State = RelaySupervisor::State;

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

class RelayServiceTest : public ::testing::Test {
 protected:
  RelayServiceTest()
      : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(log_)),
        logger_(std::make_shared<spdlog::logger>("relay-test", sink_)),
        credentials_(clock_) {
    sink_->set_pattern("%v");
    logger_->set_level(spdlog::level::info);
  }

  // The relay on 198.51.100.10 (or `ips`), its files in the temporary data dir.
  RelayService& make(std::vector<std::string> ips = {"198.51.100.10"}, std::uint16_t port = 3478) {
    CoturnConfig coturn{.listening_ips = std::move(ips),
                        .listening_port = port,
                        .lan_subnets = {*net::Ipv4Subnet::parse("198.51.100.0/24")},
                        .pid_file = dir_.path() / "relay" / "turnserver.pid",
                        .userdb_file = dir_.path() / "relay" / "userdb.sqlite"};
    relay_.emplace(io_.get_executor(), RelayConfig{}, std::move(coturn), dir_.path(), clock_, credentials_, launcher_,
                   alarm_,
                   RelayService::Hooks{.health_changed = [this] { told_.push_back(relay_->health_json()); },
                                       .running_changed = [this](bool running) { running_.push_back(running); }},
                   logger_);
    return *relay_;
  }
  std::string conf() const {
    std::ifstream in(dir_.path() / "relay" / "turnserver.conf");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  std::string log() const { return log_.str(); }
  static std::vector<net::Ipv4Subnet> two_subnets() {
    return {*net::Ipv4Subnet::parse("198.51.100.0/24"), *net::Ipv4Subnet::parse("203.0.113.0/24")};
  }
  static json::object off() { return {{"enabled", false}, {"state", "off"}}; }

  boost::asio::io_context io_;  // never run: only the log-size timer waits on it
  testing::TempDir dir_;
  std::ostringstream log_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
  core::Logger logger_;
  testing::FakeClock clock_;
  testing::FakeProcessLauncher launcher_;
  testing::FakeAlarm alarm_;
  TurnCredentials credentials_;
  std::optional<RelayService> relay_;
  std::vector<json::object> told_;  // health_json at every change
  std::vector<bool> running_;       // the running-changed hook
};

TEST_F(RelayServiceTest, IsOffAndMakesNoFilesUntilStarted) {
  auto& relay = make();
  EXPECT_FALSE(relay.enabled());
  EXPECT_EQ(relay.health_json(), off());
  EXPECT_FALSE(relay.ice_server("me"));
  EXPECT_TRUE(launcher_.specs.empty());
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "relay"));
  relay.stop();  // off already: nothing
  EXPECT_TRUE(told_.empty());
}

TEST_F(RelayServiceTest, StartRunsTurnserverOnItsOwnConfiguration) {
  auto& relay = make();
  relay.start();
  ASSERT_EQ(launcher_.specs.size(), 1u);
  EXPECT_EQ(launcher_.specs[0].program, "turnserver");
  EXPECT_EQ(launcher_.specs[0].args,
            (std::vector<std::string>{"-c", (dir_.path() / "relay" / "turnserver.conf").string()}));
  EXPECT_TRUE(contains(conf(), "\nlistening-ip=198.51.100.10\n")) << conf();
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "relay" / "secret"));
  EXPECT_EQ(relay.health_json(), json::parse(R"({"enabled":true,"state":"running","port":3478,
      "addresses":["198.51.100.10"],"restarts":0})"));
  EXPECT_EQ(running_, std::vector<bool>{true});
  const auto server = relay.ice_server("me");
  ASSERT_TRUE(server);
  EXPECT_EQ(server->urls, (std::vector<std::string>{"turn:198.51.100.10:3478?transport=udp",
                                                    "turn:198.51.100.10:3478?transport=tcp"}));
  relay.start();  // on already: nothing
  EXPECT_EQ(launcher_.specs.size(), 1u);
  EXPECT_EQ(told_.size(), 1u);
}

TEST_F(RelayServiceTest, StopSendsSigtermAndIsOffOnceTurnserverExited) {
  auto& relay = make();
  relay.start();
  relay.stop();
  EXPECT_EQ(launcher_.signals, std::vector<int>{SIGTERM});
  EXPECT_EQ(relay.health_json(), json::parse(R"({"enabled":false,"state":"stopping","port":3478,
      "addresses":["198.51.100.10"],"restarts":0})"));
  EXPECT_FALSE(relay.ice_server("me"));
  launcher_.exit({.code = 0});
  EXPECT_EQ(relay.health_json(), off());
  EXPECT_EQ(told_.back(), off());
  EXPECT_EQ(running_, (std::vector<bool>{true, false}));
  EXPECT_FALSE(alarm_.at());
  EXPECT_EQ(launcher_.specs.size(), 1u);
}

TEST_F(RelayServiceTest, StopKillsATurnserverThatIgnoresSigterm) {
  auto& relay = make();
  relay.start();
  relay.stop();
  ASSERT_TRUE(alarm_.at());
  alarm_.ring(clock_);  // RelayConfig::stop_timeout later
  EXPECT_EQ(launcher_.signals, (std::vector<int>{SIGTERM, SIGKILL}));
  launcher_.exit({.code = -1, .signal = SIGKILL});
  EXPECT_EQ(relay.health_json(), off());
}

TEST_F(RelayServiceTest, TurnedOnAgainWhileStoppingItStartsOnceTheOldOneExited) {
  auto& relay = make();
  relay.start();
  relay.stop();
  relay.start();
  EXPECT_EQ(relay.health_json().at("enabled"), true);
  EXPECT_EQ(told_.back().at("enabled"), true);  // the UI hears that it is on again
  EXPECT_EQ(relay.health_json().at("state"), "stopping");
  launcher_.exit({.code = 0});
  EXPECT_EQ(relay.health_json().at("state"), "running");
  EXPECT_EQ(launcher_.specs.size(), 2u);
  EXPECT_EQ(running_, (std::vector<bool>{true, false, true}));
}

TEST_F(RelayServiceTest, TurnedOffWhileWaitingToRestartItIsOffAtOnce) {
  auto& relay = make();
  relay.start();
  launcher_.exit({.code = 1});
  EXPECT_EQ(relay.health_json().at("state"), "restarting");
  EXPECT_EQ(relay.health_json().at("reason"), "exited with code 1 after 0 s");
  relay.stop();
  EXPECT_EQ(relay.health_json(), off());
  EXPECT_FALSE(alarm_.at());  // no restart is pending
  EXPECT_EQ(launcher_.specs.size(), 1u);
}

TEST_F(RelayServiceTest, SaysInWordsWhenTurnserverIsNotInstalled) {
  launcher_.fail = make_error_code(boost::system::errc::no_such_file_or_directory);
  auto& relay = make();
  relay.start();
  const auto health = relay.health_json();
  EXPECT_EQ(health.at("enabled"), true);
  EXPECT_EQ(health.at("state"), "failed");
  EXPECT_EQ(health.at("reason"),
            "coturn's turnserver is not installed: install the coturn package (apt-get install coturn; make run does)");
  EXPECT_TRUE(running_.empty());
  relay.stop();
  EXPECT_EQ(relay.health_json(), off());
}

TEST_F(RelayServiceTest, OptionsThatCannotWorkAreAFailureNotACrash) {
  auto& relay = make({"198.51.100.10"}, 1000);
  relay.start();
  EXPECT_EQ(relay.health_json().at("state"), "failed");
  EXPECT_TRUE(contains(std::string(relay.health_json().at("reason").as_string()), "browsers refuse"));
  EXPECT_TRUE(launcher_.specs.empty());
}

TEST_F(RelayServiceTest, NewAddressesRestartTurnserverOnceOnThem) {
  auto& relay = make();
  relay.start();
  EXPECT_TRUE(relay.set_addresses({"198.51.100.12", "203.0.113.12"}, two_subnets()));
  EXPECT_EQ(launcher_.signals, std::vector<int>{SIGTERM});
  EXPECT_EQ(relay.health_json().at("state"), "stopping");
  EXPECT_EQ(relay.health_json().at("enabled"), true);
  launcher_.exit({.code = 0});
  EXPECT_EQ(relay.health_json(), json::parse(R"({"enabled":true,"state":"running","port":3478,
      "addresses":["198.51.100.12","203.0.113.12"],"restarts":1})"));
  EXPECT_EQ(launcher_.specs.size(), 2u);
  const auto text = conf();
  EXPECT_TRUE(contains(text, "\nlistening-ip=198.51.100.12\nlistening-ip=203.0.113.12\n")) << text;
  EXPECT_FALSE(contains(text, "198.51.100.10")) << text;
  EXPECT_TRUE(contains(text, "\nallowed-peer-ip=203.0.113.1-203.0.113.254\n")) << text;
  EXPECT_TRUE(contains(log(), "the relay restarts on the new addresses 198.51.100.12, 203.0.113.12")) << log();
  // The same addresses again (another interface changed, a container bridge came up): nothing.
  EXPECT_FALSE(relay.set_addresses({"198.51.100.12", "203.0.113.12"}, two_subnets()));
  EXPECT_EQ(launcher_.specs.size(), 2u);
  EXPECT_TRUE(launcher_.signals.empty());
  EXPECT_EQ(relay.health_json().at("state"), "running");
}

TEST_F(RelayServiceTest, TheSameAddressesRestartNothing) {
  auto& relay = make();
  relay.start();
  const auto told = told_.size();
  EXPECT_FALSE(relay.set_addresses({"198.51.100.10"}, {*net::Ipv4Subnet::parse("198.51.100.0/24")}));
  EXPECT_TRUE(launcher_.signals.empty());
  EXPECT_EQ(launcher_.specs.size(), 1u);
  EXPECT_EQ(told_.size(), told);
  EXPECT_FALSE(contains(log(), "restarts on"));
}

TEST_F(RelayServiceTest, NewAddressesWhileOffWaitForTheNextStart) {
  auto& relay = make();
  EXPECT_TRUE(relay.set_addresses({"198.51.100.12"}, {}));
  EXPECT_TRUE(launcher_.specs.empty());
  EXPECT_EQ(relay.health_json(), off());
  relay.start();
  EXPECT_TRUE(contains(conf(), "\nlistening-ip=198.51.100.12\n")) << conf();
  EXPECT_EQ(relay.health_json().at("restarts"), 0);
}

TEST_F(RelayServiceTest, WithoutAnAddressItWaitsForOne) {
  auto& relay = make({});
  relay.start();
  EXPECT_EQ(relay.health_json().at("state"), "failed");
  EXPECT_TRUE(contains(std::string(relay.health_json().at("reason").as_string()), "no IPv4 address"));
  EXPECT_TRUE(launcher_.specs.empty());
  ASSERT_TRUE(alarm_.at());  // tried again later anyway
  EXPECT_TRUE(relay.set_addresses({"198.51.100.12"}, {}));
  EXPECT_EQ(relay.health_json().at("state"), "running");  // at once, not at the next attempt
  EXPECT_EQ(launcher_.specs.size(), 1u);
  EXPECT_TRUE(contains(conf(), "\nlistening-ip=198.51.100.12\n"));
  // Gone again: turnserver stops and the relay waits.
  EXPECT_TRUE(relay.set_addresses({}, {}));
  launcher_.exit({.code = 0});
  EXPECT_EQ(relay.health_json().at("state"), "failed");
  EXPECT_TRUE(contains(log(), "no address any more")) << log();
}

TEST_F(RelayServiceTest, ANewAddressWhileWaitingToRestartStartsItNow) {
  auto& relay = make();
  relay.start();
  launcher_.exit({.code = 1});
  ASSERT_EQ(relay.health_json().at("state"), "restarting");
  EXPECT_TRUE(relay.set_addresses({"198.51.100.12"}, {}));
  EXPECT_EQ(relay.health_json().at("state"), "running");
  EXPECT_EQ(launcher_.specs.size(), 2u);
  EXPECT_FALSE(alarm_.at());
}

}  // namespace
}  // namespace peerdrop::relay
