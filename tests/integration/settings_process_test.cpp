// The settings and the connection history on the real daemon binary, on
// loopback only (--loopback: nothing leaves this machine).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "relay/turn_credentials.hpp"
#include "support/daemon_process.hpp"
#include "support/temp_dir.hpp"
#include "support/ui_client.hpp"

namespace peerdrop::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kTurnServers =
    R"({"iceServers":[{"urls":"stun:198.51.100.9:3478"},
        {"urls":["turn:198.51.100.9:3478?transport=udp"],"username":"TURN-USER","credential":"TURN-SECRET"}]})";

class SettingsProcessTest : public ::testing::Test {
 protected:
  std::unique_ptr<DaemonProcess> start(const std::string& name, const std::string& announce_interval = "0.5") {
    const auto log = dir_.path() / (name + "-" + std::to_string(++starts_) + ".log");
    return std::make_unique<DaemonProcess>(
        log, std::vector<std::string>{"--loopback", "--port", "0", "--name", name, "--data-dir",
                                      (dir_.path() / name).string(), "--download-dir", downloads(name).string(),
                                      "--announce-interval", announce_interval, "--log-level", "debug"});
  }
  std::filesystem::path downloads(const std::string& name) const { return dir_.path() / (name + "-downloads"); }
  static json::value get_json(const DaemonEndpoint& endpoint, const std::string& target) {
    const auto answer = http_get(endpoint, target);
    EXPECT_EQ(answer.status, 200) << target << ": " << answer.body;
    return answer.status == 200 ? json::parse(answer.body) : json::value();
  }
  static HttpAnswer put_settings(const DaemonEndpoint& endpoint, const std::string& body,
                                 const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return http_get(endpoint, "/api/settings", "PUT", body, headers);
  }
  static std::string id_of(DaemonProcess& daemon) {
    return std::string(UiClient(endpoint_of(daemon)).next("welcome").at("self").at("id").as_string());
  }
  // Whether `daemon` lists the peer `id` within a few seconds.
  static bool knows(DaemonProcess& daemon, const std::string& id) {
    const auto endpoint = endpoint_of(daemon);
    const bool known = wait_until([&] { return !peer(endpoint, id).is_null(); }, 5s);
    EXPECT_TRUE(known) << daemon.log();
    return known;
  }
  // The peer object the daemon at `endpoint` lists for `id`, or null.
  static json::value peer(const DaemonEndpoint& endpoint, const std::string& id) {
    const auto answer = http_get(endpoint, "/api/peers");
    if (answer.status != 200) return nullptr;
    const auto peers = json::parse(answer.body);
    for (const auto& p : peers.as_array()) {
      if (p.at("id") == id.c_str()) return p;
    }
    return nullptr;
  }

  TempDir dir_;
  int starts_ = 0;
};

TEST_F(SettingsProcessTest, ServesTheDefaultsAndKeepsAChangeAcrossARestart) {
  auto daemon = start("alpha");
  const auto endpoint = endpoint_of(*daemon);
  ASSERT_TRUE(wait_until([&] { return http_get(endpoint, "/api/health").status == 200; }, 5s));
  const json::string download_dir(downloads("alpha").string());
  EXPECT_EQ(get_json(endpoint, "/api/settings"),
            json::value({{"name", "alpha"}, {"iceServers", json::array{}}, {"connectTimeoutMs", 30000},
                         {"autoAccept", json::array{}}, {"relay", false}, {"downloadDir", download_dir}}));

  const auto changed = put_settings(endpoint, kTurnServers);
  ASSERT_EQ(changed.status, 200) << changed.body;
  auto expected = json::parse(R"({"name":"alpha","iceServers":[{"urls":["stun:198.51.100.9:3478"]},
      {"urls":["turn:198.51.100.9:3478?transport=udp"],"username":"TURN-USER","credential":"TURN-SECRET"}],
      "connectTimeoutMs":30000,"autoAccept":[],"relay":false})");
  expected.as_object()["downloadDir"] = download_dir;
  EXPECT_EQ(json::parse(changed.body), expected);
  ASSERT_EQ(put_settings(endpoint, R"({"connectTimeoutMs":45000})").status, 200);

  daemon->signal(SIGTERM);
  ASSERT_EQ(daemon->wait_for_exit(2s), 0);
  // What changed is logged; the TURN username and credential never are.
  EXPECT_NE(daemon->log().find("settings changed: iceServers (2 servers)"), std::string::npos) << daemon->log();
  EXPECT_EQ(daemon->log().find("TURN-USER"), std::string::npos);
  EXPECT_EQ(daemon->log().find("TURN-SECRET"), std::string::npos);

  auto again = start("alpha");
  const auto endpoint_again = endpoint_of(*again);
  ASSERT_TRUE(wait_until([&] { return http_get(endpoint_again, "/api/health").status == 200; }, 5s));
  auto stored = expected;
  stored.as_object()["connectTimeoutMs"] = 45000;
  EXPECT_EQ(get_json(endpoint_again, "/api/settings"), stored);
}

TEST_F(SettingsProcessTest, RefusesBadSettingsAndOtherPages) {
  auto daemon = start("alpha");
  const auto endpoint = endpoint_of(*daemon);
  ASSERT_TRUE(wait_until([&] { return http_get(endpoint, "/api/health").status == 200; }, 5s));

  const auto bad = put_settings(endpoint, R"({"name":"ok","iceServers":[{"urls":"http://198.51.100.9"}]})");
  EXPECT_EQ(bad.status, 400);
  const auto error = json::parse(bad.body).as_object();
  EXPECT_EQ(error.at("code"), "bad_request");
  EXPECT_EQ(error.at("field"), "iceServers");
  EXPECT_FALSE(error.at("error").as_string().empty());
  EXPECT_EQ(json::parse(put_settings(endpoint, R"({"colour":"red"})").body).at("field"), "colour");
  EXPECT_EQ(put_settings(endpoint, std::string(70 * 1024, ' ')).status, 413);

  const auto foreign = put_settings(endpoint, R"({"name":"pwned"})", {{"Origin", "http://evil.example"}});
  EXPECT_EQ(foreign.status, 403);
  EXPECT_EQ(json::parse(foreign.body).at("code"), "forbidden");
  EXPECT_EQ(http_get(endpoint, "/api/settings", "GET", "", {{"Origin", "http://evil.example"}}).status, 403);
  EXPECT_EQ(http_get(endpoint, "/api/settings", "POST", "{}").status, 405);
  // Nothing of it changed anything.
  EXPECT_EQ(get_json(endpoint, "/api/settings").at("name"), "alpha");
}

TEST_F(SettingsProcessTest, ANewNameReachesHealthTabsAndPeersAtOnce) {
  // Announcements every 30 s: the new name can only reach the peer this fast by the burst a change sends.
  auto alpha = start("alpha", "30");
  auto beta = start("beta", "30");
  const auto endpoint_alpha = endpoint_of(*alpha);
  const auto endpoint_beta = endpoint_of(*beta);
  UiClient tab(endpoint_alpha);
  const auto welcome = tab.next("welcome");
  const std::string id(welcome.at("self").at("id").as_string());
  EXPECT_EQ(welcome.at("settings").at("name"), "alpha");
  EXPECT_EQ(tab.next("settings").at("settings").at("name"), "alpha");
  ASSERT_TRUE(knows(*beta, id));
  // Past the start-up burst (its last announcement goes out at 2 s), so only the change's own burst can carry it.
  std::this_thread::sleep_for(2500ms);

  const auto changed = put_settings(endpoint_alpha, R"({"name":"Alice's laptop"})");
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(get_json(endpoint_alpha, "/api/health").at("name"), "Alice's laptop");
  const auto pushed = tab.next("settings");
  ASSERT_FALSE(pushed.empty());
  EXPECT_EQ(pushed.at("settings").at("name"), "Alice's laptop");
  EXPECT_EQ(pushed.at("settings").at("connectTimeoutMs"), 30000);
  UiClient new_tab(endpoint_alpha);
  EXPECT_EQ(new_tab.next("welcome").at("self").at("name"), "Alice's laptop");
  EXPECT_TRUE(wait_until(
      [&] {
        const auto p = peer(endpoint_beta, id);
        return p.is_object() && p.at("name") == "Alice's laptop";
      },
      2s))
      << beta->log();
}

TEST_F(SettingsProcessTest, RemembersWhenATabConnectedToAPeerAcrossARestart) {
  auto alpha = start("alpha");
  auto beta = start("beta");
  const auto endpoint_alpha = endpoint_of(*alpha);
  const auto beta_id = id_of(*beta);
  ASSERT_TRUE(knows(*alpha, beta_id));
  EXPECT_EQ(peer(endpoint_alpha, beta_id).at("lastConnected"), 0);

  UiClient tab(endpoint_alpha);
  tab.next("welcome");
  const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  tab.send({{"type", "session"}, {"peer", beta_id}, {"state", "established"}});
  // Pushed to the tab, and in the API.
  std::int64_t connected = 0;
  while (connected == 0) {
    const auto peers = tab.next("peers");
    if (peers.empty()) break;  // timed out
    for (const auto& p : peers.at("peers").as_array()) {
      if (p.at("id") == beta_id.c_str()) connected = p.at("lastConnected").to_number<std::int64_t>();
    }
  }
  EXPECT_GE(connected, before);
  EXPECT_EQ(peer(endpoint_alpha, beta_id).at("lastConnected"), connected);

  alpha->signal(SIGTERM);
  ASSERT_EQ(alpha->wait_for_exit(2s), 0);
  beta->signal(SIGTERM);
  ASSERT_EQ(beta->wait_for_exit(2s), 0);
  auto again = start("alpha");
  const auto endpoint_again = endpoint_of(*again);
  ASSERT_TRUE(wait_until([&] { return http_get(endpoint_again, "/api/health").status == 200; }, 5s));
  const auto remembered = peer(endpoint_again, beta_id);
  ASSERT_FALSE(remembered.is_null()) << again->log();
  EXPECT_EQ(remembered.at("lastConnected"), connected);
  EXPECT_EQ(remembered.at("online"), false);
}

// Two people compare the code both pages show; one marks the other verified, and it stays so.
TEST_F(SettingsProcessTest, BothSidesShowTheSameCodeAndAPeerMarkedVerifiedStaysSo) {
  auto alpha = start("alpha");
  auto beta = start("beta");
  const auto endpoint_alpha = endpoint_of(*alpha);
  const auto endpoint_beta = endpoint_of(*beta);
  const auto alpha_id = id_of(*alpha);
  const auto beta_id = id_of(*beta);
  ASSERT_TRUE(knows(*alpha, beta_id));
  ASSERT_TRUE(knows(*beta, alpha_id));
  // The code appears once a handshake proved the key.
  const auto has_code = [](const json::value& p) { return p.is_object() && p.as_object().contains("verificationCode"); };
  ASSERT_TRUE(wait_until([&] { return has_code(peer(endpoint_alpha, beta_id)); }, 5s)) << alpha->log();
  ASSERT_TRUE(wait_until([&] { return has_code(peer(endpoint_beta, alpha_id)); }, 5s)) << beta->log();
  const auto code = peer(endpoint_alpha, beta_id).at("verificationCode");
  EXPECT_EQ(peer(endpoint_beta, alpha_id).at("verificationCode"), code);
  EXPECT_EQ(code.as_string().size(), 6u);
  EXPECT_EQ(peer(endpoint_alpha, beta_id).at("confirmed"), false);
  EXPECT_GT(peer(endpoint_alpha, beta_id).at("firstSeen").to_number<std::int64_t>(), 0);

  UiClient tab(endpoint_alpha);
  tab.next("welcome");
  const auto marked = http_get(endpoint_alpha, "/api/peers/" + beta_id, "PUT", R"({"confirmed":true})");
  ASSERT_EQ(marked.status, 200) << marked.body;
  EXPECT_EQ(json::parse(marked.body).at("confirmed"), true);
  bool pushed = false;  // every tab gets the new list
  while (!pushed) {
    const auto peers = tab.next("peers");
    if (peers.empty()) break;  // timed out
    for (const auto& p : peers.at("peers").as_array()) {
      if (p.at("id") == beta_id.c_str()) pushed = p.at("confirmed") == true && p.at("verificationCode") == code;
    }
  }
  EXPECT_TRUE(pushed);
  EXPECT_EQ(peer(endpoint_beta, alpha_id).at("confirmed"), false);  // beta's person has not checked yet
  const auto first_seen = peer(endpoint_alpha, beta_id).at("firstSeen");

  alpha->signal(SIGTERM);
  ASSERT_EQ(alpha->wait_for_exit(2s), 0);
  auto again = start("alpha");
  const auto endpoint_again = endpoint_of(*again);
  ASSERT_TRUE(wait_until([&] { return http_get(endpoint_again, "/api/health").status == 200; }, 5s));
  const auto remembered = peer(endpoint_again, beta_id);
  ASSERT_FALSE(remembered.is_null()) << again->log();
  EXPECT_EQ(remembered.at("confirmed"), true);
  EXPECT_EQ(remembered.at("firstSeen"), first_seen);
  EXPECT_EQ(remembered.at("verificationCode"), code);
}

TEST_F(SettingsProcessTest, IceServersEndWithTheUsersServers) {
  auto alpha = start("alpha");
  auto beta = start("beta");
  const auto endpoint_alpha = endpoint_of(*alpha);
  const auto beta_id = id_of(*beta);
  ASSERT_TRUE(knows(*alpha, beta_id));
  ASSERT_EQ(put_settings(endpoint_alpha, kTurnServers).status, 200);

  UiClient tab(endpoint_alpha);
  tab.send({{"type", "ice_servers"}, {"peer", beta_id}, {"ref", 7}});
  const auto answer = tab.next("ice_servers");
  ASSERT_FALSE(answer.empty());
  EXPECT_EQ(answer.at("ref"), 7);
  const auto& servers = answer.at("iceServers").as_array();
  ASSERT_GE(servers.size(), 4u);  // this daemon's STUN, the peer daemon's, then the two configured
  EXPECT_TRUE(servers[0].at("urls").as_string().starts_with("stun:127.0.0.1:"));
  EXPECT_EQ(servers[servers.size() - 2], json::parse(R"({"urls":["stun:198.51.100.9:3478"]})"));
  EXPECT_EQ(servers.back(), json::parse(R"({"urls":["turn:198.51.100.9:3478?transport=udp"],
      "username":"TURN-USER","credential":"TURN-SECRET"})"));
}

TEST_F(SettingsProcessTest, ATurnSharedSecretGivesCredentialsAndIsNeverShown) {
  constexpr std::string_view kSecret = "REST-SHARED-SECRET-91c2";
  auto alpha = start("alpha");
  const auto endpoint = endpoint_of(*alpha);
  ASSERT_TRUE(wait_until([&] { return http_get(endpoint, "/api/health").status == 200; }, 5s));
  const auto put = put_settings(
      endpoint, R"({"iceServers":[{"urls":["turn:198.51.100.9:3478?transport=udp"],"secret":"REST-SHARED-SECRET-91c2"}]})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.body.find(kSecret), std::string::npos);

  UiClient tab(endpoint);
  const auto welcome = tab.next("welcome");
  const std::string id(welcome.at("self").at("id").as_string());
  tab.send({{"type", "ice_servers"}, {"peer", id}, {"ref", 1}});
  const auto answer = tab.next("ice_servers");
  ASSERT_FALSE(answer.empty());
  const auto& rest = answer.at("iceServers").as_array().back().as_object();
  EXPECT_EQ(rest.at("urls"), json::parse(R"(["turn:198.51.100.9:3478?transport=udp"])"));
  const std::string username(rest.at("username").as_string());
  const auto colon = username.find(':');
  ASSERT_NE(colon, std::string::npos);
  EXPECT_EQ(username.substr(colon + 1), id);  // issued to this daemon
  const auto expiry = std::stoll(username.substr(0, colon));
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_NEAR(static_cast<double>(expiry - now), 86400.0, 60.0);  // --turn-credential-ttl: one day
  EXPECT_EQ(rest.at("credential").as_string(), relay::TurnCredentials::derive(kSecret, expiry, id).password);
  EXPECT_FALSE(rest.contains("secret"));

  // Kept across a restart, and still never shown or logged.
  alpha->signal(SIGTERM);
  ASSERT_EQ(alpha->wait_for_exit(2s), 0);
  auto again = start("alpha");
  const auto endpoint_again = endpoint_of(*again);
  ASSERT_TRUE(wait_until([&] { return http_get(endpoint_again, "/api/health").status == 200; }, 5s));
  EXPECT_EQ(get_json(endpoint_again, "/api/settings").at("iceServers"),
            json::parse(R"([{"urls":["turn:198.51.100.9:3478?transport=udp"],"secretSet":true}])"));
  UiClient tab_again(endpoint_again);
  tab_again.send({{"type", "ice_servers"}, {"peer", id}, {"ref", 2}});
  const auto answer_again = tab_again.next("ice_servers");
  ASSERT_FALSE(answer_again.empty());
  EXPECT_NE(std::string(answer_again.at("iceServers").as_array().back().at("username").as_string()).find(id),
            std::string::npos);
  again->signal(SIGTERM);
  ASSERT_EQ(again->wait_for_exit(2s), 0);
  EXPECT_EQ(alpha->log().find(kSecret), std::string::npos);
  EXPECT_EQ(again->log().find(kSecret), std::string::npos);
}

}  // namespace
}  // namespace peerdrop::testing
