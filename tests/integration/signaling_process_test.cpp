// Two real daemons on loopback, each with a UI client on its WebSocket, as
// two browser tabs on two machines would be. The network cases (one-way
// paths, restarts, tampering) are lab scenarios (lab/scenarios/signaling.test.mjs).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "support/daemon_process.hpp"
#include "support/temp_dir.hpp"
#include "support/ui_client.hpp"

namespace peerdrop::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class SignalingProcessTest : public ::testing::Test {
 protected:
  std::unique_ptr<DaemonProcess> start(const std::string& name) {
    return std::make_unique<DaemonProcess>(
        dir_.path() / (name + ".log"),
        std::vector<std::string>{"--loopback", "--port", "0", "--name", name, "--data-dir",
                                 (dir_.path() / name).string(), "--download-dir",
                                 (dir_.path() / (name + "-downloads")).string(), "--announce-interval", "0.5"});
  }
  TempDir dir_;
};

TEST_F(SignalingProcessTest, DeliversEveryMessageOnceAndInOrderBothWays) {
  auto a = start("a");
  auto b = start("b");
  UiClient ui_a(endpoint_of(*a));
  UiClient ui_b(endpoint_of(*b));
  const std::string id_a(ui_a.next("welcome").at("self").at("id").as_string());
  const std::string id_b(ui_b.next("welcome").at("self").at("id").as_string());
  // Wait until each daemon knows the other.
  ASSERT_TRUE(wait_until([&] { return http_get(endpoint_of(*a), "/api/peers").body.find(id_b) != std::string::npos; }, 3s));
  ASSERT_TRUE(wait_until([&] { return http_get(endpoint_of(*b), "/api/peers").body.find(id_a) != std::string::npos; }, 3s));

  constexpr int kCount = 200;
  for (int i = 0; i < kCount; ++i) {
    ui_a.send({{"type", "signal"}, {"ref", i}, {"to", id_b}, {"kind", "ice_candidate"}, {"session", "s1"},
               {"payload", json::object{{"i", i}}}});
    ui_b.send({{"type", "signal"}, {"ref", i}, {"to", id_a}, {"kind", "offer"}, {"session", "s2"},
               {"payload", json::object{{"i", i}}}});
  }
  for (int i = 0; i < kCount; ++i) {
    const auto at_b = ui_b.next("signal");
    ASSERT_FALSE(at_b.empty()) << "message " << i << " never reached B\n" << a->log() << b->log();
    EXPECT_EQ(at_b.at("from"), id_a.c_str());
    EXPECT_EQ(at_b.at("kind"), "ice_candidate");
    EXPECT_EQ(at_b.at("session"), "s1");
    EXPECT_EQ(at_b.at("payload").at("i"), i);
    const auto at_a = ui_a.next("signal");
    ASSERT_FALSE(at_a.empty()) << "message " << i << " never reached A";
    EXPECT_EQ(at_a.at("payload").at("i"), i);
  }
  // Every message was acknowledged to its sender, then confirmed delivered.
  int delivered = 0;
  for (const auto& m : ui_a.seen) delivered += m.at("type") == "delivered";
  while (delivered < kCount && !ui_a.next("delivered").empty()) ++delivered;
  EXPECT_EQ(delivered, kCount);
}

TEST_F(SignalingProcessTest, ARequestAnsweredInOneTabIsWithdrawnFromTheOthers) {
  auto a = start("a");
  auto b = start("b");
  UiClient ui_a(endpoint_of(*a));
  UiClient tab1(endpoint_of(*b));
  UiClient tab2(endpoint_of(*b));
  const std::string id_a(ui_a.next("welcome").at("self").at("id").as_string());
  const std::string id_b(tab1.next("welcome").at("self").at("id").as_string());
  tab2.next("welcome");
  ASSERT_TRUE(wait_until([&] { return http_get(endpoint_of(*a), "/api/peers").body.find(id_b) != std::string::npos; }, 3s));
  ASSERT_TRUE(wait_until([&] { return http_get(endpoint_of(*b), "/api/peers").body.find(id_a) != std::string::npos; }, 3s));

  ui_a.send({{"type", "signal"}, {"to", id_b}, {"kind", "connection_request"}, {"session", "req-1"}});
  EXPECT_EQ(tab1.next("signal").at("kind"), "connection_request");
  EXPECT_EQ(tab2.next("signal").at("kind"), "connection_request");
  tab1.send({{"type", "signal"}, {"to", id_a}, {"kind", "connection_accept"}, {"session", "req-1"}});
  const auto taken = tab2.next("session_taken");
  ASSERT_FALSE(taken.empty()) << "the other tab was not told the request was answered";
  EXPECT_EQ(taken.at("session"), "req-1");
  EXPECT_EQ(taken.at("peer"), id_a.c_str());
  EXPECT_EQ(ui_a.next("signal").at("kind"), "connection_accept");
  // Anything the daemon sent tab1 after its accept comes before the answer to this.
  tab1.send({{"type", "ice_servers"}, {"peer", id_a}, {"ref", "after-accept"}});
  ASSERT_FALSE(tab1.next("ice_servers").empty());
  for (const auto& m : tab1.seen) EXPECT_NE(m.at("type"), "session_taken") << "the answering tab was told too";
}

TEST_F(SignalingProcessTest, SaysClearlyWhenThePeerIsUnknownOrTheMessageMalformed) {
  auto a = start("a");
  UiClient ui(endpoint_of(*a));
  ui.next("welcome");
  ui.send({{"type", "signal"}, {"ref", "x1"}, {"to", "MZUHVLPYMK6XO3EPYGFY5H4OEAEJOFEFN3RDHM4QFJMR2DK7FESQ"},
           {"kind", "offer"}});
  const auto unknown = ui.next("error");
  EXPECT_EQ(unknown.at("code"), "unknown_peer");
  EXPECT_EQ(unknown.at("ref"), "x1");
  ui.send({{"type", "signal"}, {"ref", "x2"}, {"to", 5}, {"kind", "OFFER!"}});
  EXPECT_EQ(ui.next("error").at("code"), "bad_request");
  ui.send({{"type", "teleport"}, {"ref", "x3"}});
  EXPECT_EQ(ui.next("error").at("code"), "unknown_type");
}

}  // namespace
}  // namespace peerdrop::testing
