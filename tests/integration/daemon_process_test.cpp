// The real daemon binary, started as a user would, on loopback only
// (--loopback: nothing leaves this machine). Multi-host behaviour is tested
// in the lab (lab/), not here.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "support/daemon_process.hpp"
#include "support/temp_dir.hpp"
#include "support/ui_client.hpp"

namespace peerdrop::testing {
namespace {

using namespace std::chrono_literals;

class DaemonProcessTest : public ::testing::Test {
 protected:
  std::unique_ptr<DaemonProcess> start(const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--loopback", "--port", "0", "--name", name, "--data-dir",
                                  (dir_.path() / name).string(), "--announce-interval", "0.5", "--log-level", "debug"};
    args.insert(args.end(), {"--download-dir", (dir_.path() / (name + "-downloads")).string()});
    args.insert(args.end(), extra.begin(), extra.end());
    // A log file per start: a restarted daemon must not be read from its predecessor's log.
    const auto log = dir_.path() / (name + "-" + std::to_string(++starts_) + ".log");
    return std::make_unique<DaemonProcess>(log, args);
  }
  // Whether the daemon at `endpoint` lists a peer named `name` with the given online state.
  static bool lists(const DaemonEndpoint& endpoint, const std::string& name, bool online) {
    const auto answer = http_get(endpoint, "/api/peers");
    if (answer.status != 200) return false;
    const auto peers = boost::json::parse(answer.body);
    for (const auto& peer : peers.as_array()) {
      if (peer.at("name") == name.c_str() && peer.at("online").as_bool() == online) return true;
    }
    return false;
  }

  TempDir dir_;
  int starts_ = 0;
};

TEST_F(DaemonProcessTest, HelpDocumentsEveryFlag) {
  DaemonProcess help(dir_.path() / "help.log", {"--help"});
  EXPECT_EQ(help.wait_for_exit(5s), 0);
  for (const char* flag :
       {"--port", "--bind", "--name", "--data-dir", "--discovery-port", "--interface", "--scan", "--peer", "--no-scan",
        "--loopback", "--loopback-ports", "--log-level", "--config", "--download-dir", "--partial-max-age"}) {
    EXPECT_NE(help.log().find(flag), std::string::npos) << flag;
  }
}

TEST_F(DaemonProcessTest, PicksAFreePortAndExitsCleanlyOnSigterm) {
  auto daemon = start("solo");
  const auto endpoint = endpoint_of(*daemon);
  ASSERT_NE(endpoint.port, 0);
  EXPECT_TRUE(wait_until([&] { return http_get(endpoint, "/api/health").status == 200; }, 5s));
  daemon->signal(SIGTERM);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(daemon->wait_for_exit(2s), 0) << daemon->log();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
}

// Shutting down ends every socket, timer and child instead of stopping the
// event loop: a health probe to a peer that never answers and a UI tab end at once.
TEST_F(DaemonProcessTest, ShutsDownAtOnceWithAProbeAndATabUnderWay) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor silent(io, {boost::asio::ip::address_v4::loopback(), 0});  // accepts, never answers
  const auto silent_port = silent.local_endpoint().port();
  auto daemon = start("busy", {"--peer", "127.0.0.1:" + std::to_string(silent_port)});
  const auto endpoint = endpoint_of(*daemon);
  ASSERT_NE(endpoint.port, 0);
  boost::asio::ip::tcp::socket probe(io);
  silent.accept(probe);  // the daemon's probe is connected and waits for an answer
  UiClient tab(endpoint);
  ASSERT_FALSE(tab.next("welcome").empty());
  daemon->signal(SIGTERM);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(daemon->wait_for_exit(5s), 0) << daemon->log();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  EXPECT_NE(daemon->log().find("stopped"), std::string::npos) << daemon->log();
  EXPECT_EQ(daemon->log().find("stopping the event loop"), std::string::npos) << daemon->log();
}

TEST_F(DaemonProcessTest, TwoDaemonsOnOneMachineFindEachOtherAndSeeAGoodbye) {
  auto one = start("one");
  auto two = start("two");
  const auto endpoint_one = endpoint_of(*one);
  const auto endpoint_two = endpoint_of(*two);
  EXPECT_TRUE(wait_until([&] { return lists(endpoint_one, "two", true) && lists(endpoint_two, "one", true); }, 3s))
      << one->log() << two->log();
  two->signal(SIGTERM);
  EXPECT_TRUE(wait_until([&] { return lists(endpoint_one, "two", false); }, 1s)) << one->log();
}

TEST_F(DaemonProcessTest, RemembersPeersAcrossARestart) {
  auto one = start("one");
  auto two = start("two");
  const auto endpoint_one = endpoint_of(*one);
  ASSERT_TRUE(wait_until([&] { return lists(endpoint_one, "two", true); }, 3s)) << one->log();
  one->signal(SIGTERM);
  ASSERT_EQ(one->wait_for_exit(2s), 0);
  auto again = start("one");
  const auto endpoint_again = endpoint_of(*again);
  // Known again at once from the database, then online when heard.
  EXPECT_TRUE(wait_until([&] { return lists(endpoint_again, "two", true); }, 3s)) << again->log();
  const auto peers = http_get(endpoint_again, "/api/peers");
  EXPECT_NE(peers.body.find("persisted"), std::string::npos) << peers.body;
}

TEST_F(DaemonProcessTest, RefusesASecondDaemonOnTheSameDataDir) {
  auto first = start("same");
  endpoint_of(*first);
  auto second = start("same");
  EXPECT_EQ(second->wait_for_exit(5s), 1);
  EXPECT_NE(second->log().find("already running"), std::string::npos) << second->log();
}

TEST_F(DaemonProcessTest, StopsWithOneClearLineOnBadConfiguration) {
  auto too_big = start("big", {"--scan", "203.0.0.0/16"});
  EXPECT_EQ(too_big->wait_for_exit(5s), 1);
  EXPECT_NE(too_big->log().find("split it"), std::string::npos) << too_big->log();
  auto outside = start("outside", {"--scan", "203.0.113.0/24"});
  EXPECT_EQ(outside->wait_for_exit(5s), 1);
  EXPECT_NE(outside->log().find("loopback"), std::string::npos) << outside->log();
}

}  // namespace
}  // namespace peerdrop::testing
