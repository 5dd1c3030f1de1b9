// Shared relays on the real daemon binary with the real coturn, on loopback
// only: one daemon runs a relay (--turn), the other finds it in discovery and
// asks for credentials over the signed channel: refused while the relay's user
// neither connected to it nor trusts it, granted once trusted, and handed to
// its UI for connections with the relay's daemon only.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <fstream>

#include "identity/identity.hpp"
#include "relay/turn_credentials.hpp"
#include "support/daemon_process.hpp"
#include "support/free_turn_port.hpp"
#include "support/temp_dir.hpp"
#include "support/ui_client.hpp"

namespace peerdrop::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kTurnserver = "/usr/bin/turnserver";

class SharedRelayProcessTest : public ::testing::Test {
 protected:
  std::unique_ptr<DaemonProcess> start(const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--loopback",
                                  "--port",
                                  "0",
                                  "--name",
                                  name,
                                  "--data-dir",
                                  (dir_.path() / name).string(),
                                  "--download-dir",
                                  (dir_.path() / (name + "-downloads")).string(),
                                  "--announce-interval",
                                  "0.5"};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<DaemonProcess>(dir_.path() / (name + ".log"), args);
  }
  // The peer `id` in the daemon's GET /api/peers, or null.
  static json::value peer(const DaemonEndpoint& endpoint, const std::string& id) {
    const auto answer = http_get(endpoint, "/api/peers");
    if (answer.status != 200) return nullptr;
    const auto list = json::parse(answer.body);
    for (const auto& p : list.as_array()) {
      if (p.at("id") == id.c_str()) return p;
    }
    return nullptr;
  }
  static std::string relay_of(const json::value& peer) {
    const auto* relay = peer.is_object() ? peer.as_object().if_contains("relay") : nullptr;
    return relay && relay->is_string() ? std::string(relay->get_string()) : std::string();
  }
  std::string secret_of(const std::string& name) const {
    std::ifstream in(dir_.path() / name / "relay" / "secret");
    std::string secret;
    in >> secret;
    return secret;
  }

  TempDir dir_;
};

TEST_F(SharedRelayProcessTest, APeerGetsCredentialsForAnotherDaemonsRelayOverTheSignedChannel) {
  if (!std::filesystem::exists(kTurnserver)) GTEST_SKIP() << kTurnserver << " is missing: install coturn (make deps)";
  const auto turn_port = free_turn_port();
  auto alpha = start("alpha", {"--turn", "--turn-port", std::to_string(turn_port)});
  auto bravo = start("bravo");
  UiClient ui_alpha(endpoint_of(*alpha));
  UiClient ui_bravo(endpoint_of(*bravo));
  const std::string id_alpha(ui_alpha.next("welcome").at("self").at("id").as_string());
  const std::string id_bravo(ui_bravo.next("welcome").at("self").at("id").as_string());

  // Bravo hears alpha offer its relay and asks; alpha's user has never
  // connected to bravo nor trusts it, so alpha refuses and says why.
  ASSERT_TRUE(wait_until(
      [&] { return alpha->log().find("refused relay credentials to \"bravo\"") != std::string::npos; }, 20s))
      << alpha->log() << bravo->log();
  EXPECT_NE(alpha->log().find("this computer's user has never connected to it and does not trust it"),
            std::string::npos)
      << alpha->log();
  EXPECT_TRUE(wait_until(
      [&] {
        return bravo->log().find("gives no credentials for its TURN relay: \"not_trusted\"") != std::string::npos;
      },
      5s))
      << bravo->log();
  EXPECT_EQ(relay_of(peer(endpoint_of(*bravo), id_alpha)), "offered");
  EXPECT_EQ(alpha->log().find("gave relay credentials"), std::string::npos) << alpha->log();

  // Alpha's user puts bravo on the "always accept" list: bravo's next request
  // (after its back-off) gets credentials.
  ASSERT_EQ(http_get(endpoint_of(*alpha), "/api/settings", "PUT", R"({"autoAccept":[")" + id_bravo + R"("]})").status,
            200);
  ASSERT_TRUE(wait_until([&] { return relay_of(peer(endpoint_of(*bravo), id_alpha)) == "ready"; }, 30s))
      << "bravo sees alpha as " << json::serialize(peer(endpoint_of(*bravo), id_alpha)) << "\n"
      << alpha->log() << bravo->log();
  // Alpha offers nothing of bravo's: no "relay" there.
  const auto bravo_at_alpha = peer(endpoint_of(*alpha), id_bravo);
  ASSERT_TRUE(bravo_at_alpha.is_object());
  EXPECT_FALSE(bravo_at_alpha.as_object().contains("relay"));
  // Bravo's tabs were told (a peers push with "ready"). Read only what must come: after a read
  // times out, UiClient's socket blocks for good.
  bool pushed = false;
  while (!pushed) {
    const auto message = ui_bravo.next("peers");
    if (message.empty()) break;
    for (const auto& p : message.at("peers").as_array()) {
      pushed |= p.at("id") == id_alpha.c_str() && relay_of(p) == "ready";
    }
  }
  EXPECT_TRUE(pushed);

  // Bravo's page gets alpha's relay, with credentials issued to bravo that alpha's coturn accepts.
  ui_bravo.send({{"type", "ice_servers"}, {"peer", id_alpha}, {"ref", 1}});
  const auto answer = ui_bravo.next("ice_servers");
  ASSERT_FALSE(answer.empty());
  const json::object* relay = nullptr;
  for (const auto& server : answer.at("iceServers").as_array()) {
    if (server.as_object().contains("username")) relay = &server.as_object();
  }
  ASSERT_TRUE(relay) << json::serialize(answer);
  const auto base = "turn:127.0.0.1:" + std::to_string(turn_port);
  EXPECT_EQ(relay->at("urls"), (json::array{base + "?transport=udp", base + "?transport=tcp"}));
  const std::string username(relay->at("username").as_string());
  const std::string credential(relay->at("credential").as_string());
  ASSERT_TRUE(username.ends_with(":" + id_bravo)) << username;
  const auto expiry = std::stoll(username.substr(0, username.find(':')));
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_NEAR(static_cast<double>(expiry - now), 86400.0, 60.0);  // --turn-credential-ttl: one day
  const auto secret = secret_of("alpha");
  ASSERT_EQ(secret.size(), 64u);
  EXPECT_EQ(credential, relay::TurnCredentials::hmac_sha1_base64(secret, username));
  // For a connection with anyone else, bravo's page is not given alpha's relay.
  const auto someone_else = identity::Identity::generate().peer_id();
  ui_bravo.send({{"type", "ice_servers"}, {"peer", someone_else}, {"ref", 4}});
  const auto other = ui_bravo.next("ice_servers");
  ASSERT_FALSE(other.empty());
  for (const auto& server : other.at("iceServers").as_array()) {
    EXPECT_FALSE(server.as_object().contains("username")) << json::serialize(other);
  }

  // Said in words by both daemons; the credential is in neither log.
  EXPECT_NE(alpha->log().find("gave relay credentials to \"bravo\" (" + id_bravo.substr(0, 7)), std::string::npos)
      << alpha->log();
  EXPECT_NE(bravo->log().find("got credentials for the TURN relay of \"alpha\""), std::string::npos) << bravo->log();
  EXPECT_EQ(alpha->log().find(credential), std::string::npos);
  EXPECT_EQ(bravo->log().find(credential), std::string::npos);
  // The daemons' own messages never reach a page.
  for (const auto& message : ui_alpha.seen) EXPECT_NE(message.at("type"), "signal") << json::serialize(message);
  for (const auto& message : ui_bravo.seen) EXPECT_NE(message.at("type"), "signal") << json::serialize(message);
  // A page cannot send them either.
  ui_bravo.send(
      {{"type", "signal"}, {"to", id_alpha}, {"kind", "relay:request"}, {"ref", 2}, {"payload", json::object{}}});
  const auto refused = ui_bravo.next("error");
  ASSERT_FALSE(refused.empty());
  EXPECT_EQ(refused.at("code"), "bad_request");
  EXPECT_EQ(refused.at("ref"), 2);

  // Alpha leaves: bravo drops its credentials at once (goodbye).
  alpha->signal(SIGTERM);
  EXPECT_TRUE(wait_until([&] { return relay_of(peer(endpoint_of(*bravo), id_alpha)).empty(); }, 5s)) << bravo->log();
  ui_bravo.send({{"type", "ice_servers"}, {"peer", id_alpha}, {"ref", 3}});
  const auto after = ui_bravo.next("ice_servers");
  ASSERT_FALSE(after.empty());
  for (const auto& server : after.at("iceServers").as_array()) {
    EXPECT_FALSE(server.as_object().contains("username")) << json::serialize(after);
  }
}

}  // namespace
}  // namespace peerdrop::testing
