#include "relay/coturn_config.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace peerdrop::relay {
namespace {

constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

net::Ipv4Subnet subnet(const char* cidr) { return *net::Ipv4Subnet::parse(cidr); }

CoturnConfig lan_config() {
  return CoturnConfig{.listening_ips = {"198.51.100.10"},
                      .lan_subnets = {subnet("198.51.100.0/24")},
                      .pid_file = "/var/lib/pd/relay/turnserver.pid",
                      .userdb_file = "/var/lib/pd/relay/userdb.sqlite"};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.front() != '#') out.push_back(line);
  }
  return out;
}

bool has(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

std::size_t count_starting(const std::vector<std::string>& lines, const std::string& prefix) {
  return std::count_if(lines.begin(), lines.end(), [&](const std::string& l) { return l.starts_with(prefix); });
}

TEST(CoturnConfig, ListensAndRelaysOnTheChosenAddressesOnly) {
  const auto lines = lines_of(lan_config().render(kSecret));
  EXPECT_TRUE(has(lines, "listening-ip=198.51.100.10"));
  EXPECT_TRUE(has(lines, "relay-ip=198.51.100.10"));
  EXPECT_EQ(count_starting(lines, "listening-ip="), 1u);
  EXPECT_TRUE(has(lines, "listening-port=3478"));
  EXPECT_TRUE(has(lines, "min-port=49160"));
  EXPECT_TRUE(has(lines, "max-port=49359"));
}

TEST(CoturnConfig, UsesTheTurnRestApiWithTheSecretOnce) {
  const auto text = lan_config().render(kSecret);
  const auto lines = lines_of(text);
  EXPECT_TRUE(has(lines, "use-auth-secret"));
  EXPECT_TRUE(has(lines, "static-auth-secret=" + std::string(kSecret)));
  EXPECT_TRUE(has(lines, "realm=peerdrop"));
  EXPECT_TRUE(has(lines, "fingerprint"));
  EXPECT_TRUE(has(lines, "stale-nonce=600"));
  // The secret appears exactly once, on its own line, and nowhere else.
  EXPECT_EQ(text.find(kSecret), text.rfind(kSecret));
  // No other way in: no static users, no anonymous access.
  EXPECT_EQ(count_starting(lines, "user="), 0u);
  EXPECT_EQ(count_starting(lines, "no-auth"), 1u);  // only no-auth-pings
  EXPECT_TRUE(has(lines, "no-auth-pings"));
  EXPECT_FALSE(has(lines, "lt-cred-mech"));
}

TEST(CoturnConfig, TheLogAndTheCommandLineNeverCarryTheSecret) {
  const auto config = lan_config();
  EXPECT_EQ(config.describe(), "198.51.100.10:3478 (UDP and TCP), relay ports 49160-49359");
  EXPECT_EQ(config.describe().find(kSecret), std::string::npos);
  EXPECT_EQ(config.render("").find(kSecret), std::string::npos);
}

TEST(CoturnConfig, ReadsNothingOfTheSystemsCoturn) {
  const auto lines = lines_of(lan_config().render(kSecret));
  EXPECT_TRUE(has(lines, "userdb=/var/lib/pd/relay/userdb.sqlite"));
  EXPECT_TRUE(has(lines, "pidfile=/var/lib/pd/relay/turnserver.pid"));
  EXPECT_TRUE(has(lines, "no-dynamic-ip-list"));
  EXPECT_TRUE(has(lines, "no-dynamic-realms"));
  EXPECT_TRUE(has(lines, "log-file=stdout"));
  EXPECT_TRUE(has(lines, "simple-log"));
}

TEST(CoturnConfig, OffersOnlyWhatWebRtcNeeds) {
  const auto lines = lines_of(lan_config().render(kSecret));
  for (const auto* flag : {"no-cli", "no-tls", "no-dtls", "no-tcp-relay", "no-rfc5780", "no-software-attribute",
                           "no-multicast-peers"}) {
    EXPECT_TRUE(has(lines, flag)) << flag;
  }
  // Browsers send a STUN Binding to every TURN server and finish gathering only when it is answered or
  // timed out (39.5 s): the relay answers them.
  EXPECT_FALSE(has(lines, "no-stun"));
  EXPECT_TRUE(has(lines, "user-quota=32"));
  EXPECT_TRUE(has(lines, "total-quota=256"));
  EXPECT_TRUE(has(lines, "max-bps=50000000"));
}

TEST(CoturnConfig, TlsListenersOnlyWithACertificate) {
  auto config = lan_config();
  config.tls_certificate = "/etc/pd/cert.pem";
  config.tls_private_key = "/etc/pd/key.pem";
  EXPECT_FALSE(config.problem());
  const auto lines = lines_of(config.render(kSecret));
  EXPECT_TRUE(has(lines, "cert=/etc/pd/cert.pem"));
  EXPECT_TRUE(has(lines, "pkey=/etc/pd/key.pem"));
  EXPECT_FALSE(has(lines, "no-tls"));
  EXPECT_FALSE(has(lines, "no-dtls"));
  EXPECT_TRUE(has(lines, "no-cli"));
  config.tls_private_key.reset();
  EXPECT_TRUE(config.problem());
}

std::vector<std::string> allowed_of(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (const auto& line : lines) {
    if (line.starts_with("allowed-peer-ip=")) out.push_back(line.substr(16));
  }
  return out;
}

TEST(CoturnConfig, ReachesTheHostsOfTheDiscoverySubnetsAndNothingElse) {
  auto config = lan_config();
  config.lan_subnets.push_back(subnet("169.254.0.0/16"));  // a link-local interface: never
  config.lan_subnets.push_back(subnet("127.0.0.0/8"));     // loopback outside loopback mode: never
  config.lan_subnets.push_back(subnet("130.92.0.0/16"));   // a LAN with public addresses (--scan)
  config.lan_subnets.push_back(subnet("198.51.100.0/25"));  // a --scan subnet inside an interface's: once
  const auto lines = lines_of(config.render(kSecret));
  // Everything is denied first; coturn lets an allowed range win.
  EXPECT_TRUE(has(lines, "denied-peer-ip=0.0.0.0-255.255.255.255"));
  EXPECT_TRUE(has(lines, "denied-peer-ip=::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
  // The hosts only: no network or broadcast address.
  EXPECT_EQ(allowed_of(lines), (std::vector<std::string>{"130.92.0.1-130.92.255.254", "198.51.100.1-198.51.100.254"}));
  EXPECT_FALSE(has(lines, "allow-loopback-peers"));
}

// Issue 16, finding 1: the relay reached this host's loopback, container
// bridges and VPN links. It reaches its own addresses on the discovery
// subnets only: its user's browser is there, and a peer's relay serves
// connections with that peer (whose browser runs on the relay's host).
TEST(CoturnConfig, ReachesItsOwnLanAddressesButNotLoopbackOrItsOtherLinks) {
  auto config = lan_config();
  config.listening_ips = {"198.51.100.10", "203.0.113.10"};
  config.lan_subnets = {subnet("198.51.100.0/24"), subnet("203.0.113.0/24")};
  const auto lines = lines_of(config.render(kSecret));
  EXPECT_EQ(allowed_of(lines), (std::vector<std::string>{"198.51.100.1-198.51.100.254", "203.0.113.1-203.0.113.254"}));
  for (const auto& range : allowed_of(lines)) {
    for (const auto* other : {"127.", "172.17.", "100.101."}) EXPECT_FALSE(range.starts_with(other)) << range;
  }
  EXPECT_FALSE(has(lines, "allow-loopback-peers"));
}

// Issue 16, finding 1: the relay could reach every private range (10/8,
// 172.16/12, 192.168/16, 100.64/10), so a peer could send UDP into the
// host's containers, VPN or tailnet. Only the discovery subnets are allowed.
TEST(CoturnConfig, AllowsOnlyTheDiscoverySubnetsNotEveryPrivateRange) {
  const auto allowed = allowed_of(lines_of(lan_config().render(kSecret)));
  for (const auto& range : allowed) {
    for (const auto* elsewhere : {"10.", "172.", "192.168.", "100.", "192.0.2.", "203.0.113."}) {
      EXPECT_FALSE(range.starts_with(elsewhere)) << range;
    }
  }
  EXPECT_EQ(allowed, (std::vector<std::string>{"198.51.100.1-198.51.100.254"}));
  // No subnet known yet (discovery has not started): nothing at all.
  auto config = lan_config();
  config.lan_subnets.clear();
  EXPECT_TRUE(allowed_of(lines_of(config.render(kSecret))).empty());
}

// Issue 16, finding 1: eight identities × user-quota 32 used up total-quota
// 256; the users that may hold credentials at once each get their share.
TEST(CoturnConfig, QuotasGiveEveryUserItsShare) {
  auto config = lan_config();
  EXPECT_EQ(std::uint64_t{config.user_quota} * config.max_users, config.total_quota);
  EXPECT_FALSE(config.problem());
  config.max_users = 9;
  const auto problem = config.options_problem();
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("9 users × 32 allocations each must fit in the total of 256"), std::string::npos)
      << *problem;
  const auto lines = lines_of(lan_config().render(kSecret));
  EXPECT_TRUE(has(lines, "user-quota=32"));
  EXPECT_TRUE(has(lines, "total-quota=256"));
}

TEST(CoturnConfig, LoopbackModeStaysOnLoopback) {
  CoturnConfig config{.listening_ips = {"127.0.0.1"},
                      .loopback = true,
                      .lan_subnets = {subnet("127.0.0.0/8")},
                      .pid_file = "/d/relay/turnserver.pid",
                      .userdb_file = "/d/relay/userdb.sqlite"};
  EXPECT_FALSE(config.problem());
  const auto lines = lines_of(config.render(kSecret));
  EXPECT_TRUE(has(lines, "listening-ip=127.0.0.1"));
  EXPECT_TRUE(has(lines, "relay-ip=127.0.0.1"));
  EXPECT_EQ(count_starting(lines, "listening-ip="), 1u);
  EXPECT_TRUE(has(lines, "allow-loopback-peers"));
  // This machine's loopback address too: the tests' daemons all live there.
  EXPECT_EQ(allowed_of(lines), (std::vector<std::string>{"127.0.0.0-127.255.255.255"}));
  EXPECT_EQ(count_starting(lines, "denied-peer-ip=1"), 0u);
  EXPECT_EQ(config.describe(), "127.0.0.1:3478 (UDP and TCP), relay ports 49160-49359, loopback only");
}

TEST(CoturnConfig, RefusesPortsBrowsersRefuse) {
  auto config = lan_config();
  for (const std::uint16_t port : {0, 1, 22, 1023}) {
    config.listening_port = port;
    const auto problem = config.problem();
    ASSERT_TRUE(problem) << port;
    EXPECT_NE(problem->find("browsers refuse"), std::string::npos) << *problem;
  }
  for (const std::uint16_t port : {53, 80, 443, 1024, 3478, 65535}) {
    config.listening_port = port;
    EXPECT_FALSE(config.problem()) << port << ": " << config.problem().value_or("");
  }
  config.listening_port = 49200;  // inside the relay range
  EXPECT_TRUE(config.problem());
  config.listening_port = 3478;
  config.min_port = 50000;
  config.max_port = 49999;
  EXPECT_TRUE(config.problem());
  config.min_port = 80;
  config.max_port = 90;
  EXPECT_TRUE(config.problem());
}

TEST(CoturnConfig, RefusesWhatCouldBreakTheFile) {
  auto config = lan_config();
  config.listening_ips = {};
  EXPECT_TRUE(config.problem());
  config.listening_ips = {"198.51.100.10\nno-auth"};
  EXPECT_TRUE(config.problem());
  config = lan_config();
  config.realm = "peer drop";
  EXPECT_TRUE(config.problem());
  config = lan_config();
  config.pid_file = "/tmp/x\nno-auth";
  EXPECT_TRUE(config.problem());
  config = lan_config();
  config.userdb_file = "relative/userdb.sqlite";
  EXPECT_TRUE(config.problem());
}

}  // namespace
}  // namespace peerdrop::relay
