#include "app/command_line.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

namespace peerdrop::app {
namespace {

ParsedCommandLine parse(std::vector<const char*> args) {
  args.insert(args.begin(), "peerdropd");
  return parse_command_line(static_cast<int>(args.size()), args.data());
}

TEST(CommandLine, HasTheDocumentedDefaults) {
  const auto parsed = parse({});
  ASSERT_TRUE(parsed.config);
  EXPECT_EQ(parsed.config->http.port, 3001);
  EXPECT_EQ(parsed.config->http.bind, "0.0.0.0");
  EXPECT_EQ(parsed.config->discovery.port, 3001);
  EXPECT_TRUE(parsed.config->discovery.scan_enabled);
  EXPECT_FALSE(parsed.config->discovery.loopback);
  EXPECT_EQ(parsed.config->discovery.announce_interval, std::chrono::milliseconds(20'000));
  EXPECT_FALSE(parsed.config->name.empty());
  EXPECT_FALSE(parsed.config->data_dir.empty());
  EXPECT_EQ(parsed.config->transfer.partial_max_age, std::chrono::hours(7 * 24));
  if (const char* home = std::getenv("HOME"); home && *home) {
    EXPECT_EQ(parsed.config->transfer.download_dir,
              (std::filesystem::path(home) / "Downloads" / "PeerDrop").lexically_normal());
  }
}

TEST(CommandLine, TakesTheDownloadFolderAndThePartialFilesAge) {
  const auto parsed = parse({"--download-dir", "/srv/incoming/", "--partial-max-age", "36h"});
  ASSERT_TRUE(parsed.config);
  EXPECT_EQ(parsed.config->transfer.download_dir, std::filesystem::path("/srv/incoming"));
  EXPECT_EQ(parsed.config->transfer.partial_max_age, std::chrono::hours(36));
  EXPECT_EQ(parse({"--partial-max-age", "90m"}).config->transfer.partial_max_age, std::chrono::minutes(90));
  EXPECT_EQ(parse({"--partial-max-age", "2d"}).config->transfer.partial_max_age, std::chrono::hours(48));
  EXPECT_EQ(parse({"--partial-max-age", "600"}).config->transfer.partial_max_age, std::chrono::minutes(10));
  // A relative folder is made absolute (the UI shows it).
  const auto relative = parse({"--download-dir", "incoming"});
  ASSERT_TRUE(relative.config);
  EXPECT_TRUE(relative.config->transfer.download_dir.is_absolute());
  EXPECT_EQ(relative.config->transfer.download_dir.filename(), "incoming");
  EXPECT_FALSE(parse({"--partial-max-age", "0"}).config);
  EXPECT_FALSE(parse({"--partial-max-age", "7 weeks"}).config);
  EXPECT_FALSE(parse({"--partial-max-age", "-1d"}).config);
}

TEST(CommandLine, TakesRepeatableOptions) {
  const auto parsed = parse({"--scan", "203.0.113.0/24", "--scan", "198.51.100.0/24", "--peer", "203.0.113.5:3001",
                             "--interface", "eth0", "--interface", "eth1", "--no-scan", "--port", "0"});
  ASSERT_TRUE(parsed.config);
  EXPECT_EQ(parsed.config->discovery.scan_subnets.size(), 2u);
  EXPECT_EQ(parsed.config->discovery.manual_peers, std::vector<std::string>{"203.0.113.5:3001"});
  EXPECT_EQ(parsed.config->discovery.interfaces, (std::vector<std::string>{"eth0", "eth1"}));
  EXPECT_FALSE(parsed.config->discovery.scan_enabled);
  EXPECT_EQ(parsed.config->http.port, 0);
}

TEST(CommandLine, LoopbackKeepsEverythingOnThisMachine) {
  const auto parsed = parse({"--loopback", "--bind", "0.0.0.0", "--interface", "eth0"});
  ASSERT_TRUE(parsed.config);
  EXPECT_EQ(parsed.config->http.bind, "127.0.0.1");
  EXPECT_TRUE(parsed.config->discovery.loopback);
  EXPECT_FALSE(parsed.config->discovery.scan_enabled);
  EXPECT_TRUE(parsed.config->discovery.interfaces.empty());
}

TEST(CommandLine, LoopbackPortsSetTheDiscoveryRange) {
  const auto defaults = parse({"--loopback"});
  ASSERT_TRUE(defaults.config);
  EXPECT_EQ(defaults.config->discovery.loopback_first_port, 3001);
  EXPECT_EQ(defaults.config->discovery.loopback_last_port, 3016);
  const auto parsed = parse({"--loopback", "--loopback-ports", "3101-3108"});
  ASSERT_TRUE(parsed.config);
  EXPECT_EQ(parsed.config->discovery.loopback_first_port, 3101);
  EXPECT_EQ(parsed.config->discovery.loopback_last_port, 3108);
  EXPECT_EQ(parsed.config->discovery.port, 3101);  // its own port is in the range
  const auto one = parse({"--loopback", "--loopback-ports", "40000-40000", "--discovery-port", "40000"});
  ASSERT_TRUE(one.config);
  EXPECT_EQ(one.config->discovery.loopback_first_port, 40000);
  EXPECT_EQ(one.config->discovery.loopback_last_port, 40000);
  for (const char* bad : {"3101", "3108-3101", "0-10", "65530-65536", "3000-3256", "3101-", "-3108", "a-b",
                          "3101-3108x", "+3101-3108", "3101 - 3108", ""}) {
    const auto refused = parse({"--loopback", "--loopback-ports", bad});
    EXPECT_FALSE(refused.config) << bad;
    EXPECT_NE(refused.exit_code, 0) << bad;
  }
  EXPECT_TRUE(parse({"--loopback", "--loopback-ports", "3000-3255"}).config);  // 256 ports
  EXPECT_FALSE(parse({"--loopback-ports", "3101-3108"}).config);               // only with --loopback
}

TEST(CommandLine, RefusesBadValues) {
  EXPECT_FALSE(parse({"--port", "70000"}).config);
  EXPECT_FALSE(parse({"--log-level", "chatty"}).config);
  EXPECT_FALSE(parse({"--announce-interval", "0"}).config);
  EXPECT_FALSE(parse({"--frobnicate"}).config);
  EXPECT_NE(parse({"--frobnicate"}).exit_code, 0);
  EXPECT_EQ(parse({"--help"}).exit_code, 0);
}

}  // namespace
}  // namespace peerdrop::app

namespace peerdrop::app {
namespace {

TEST(CommandLine, TakesTheTurnRelayFlags) {
  const auto off = parse({});
  ASSERT_TRUE(off.config);
  EXPECT_FALSE(off.config->relay.enabled);
  EXPECT_EQ(off.config->relay.port, 3478);
  EXPECT_EQ(off.config->relay.min_port, 49160);
  EXPECT_EQ(off.config->relay.max_port, 49359);
  EXPECT_EQ(off.config->relay.credential_ttl, std::chrono::hours(24));
  const auto on = parse({"--turn", "--turn-port", "3479", "--turn-min-port", "50000", "--turn-max-port", "50100",
                         "--turn-credential-ttl", "90m"});
  ASSERT_TRUE(on.config);
  EXPECT_TRUE(on.config->relay.enabled);
  EXPECT_EQ(on.config->relay.port, 3479);
  EXPECT_EQ(on.config->relay.min_port, 50000);
  EXPECT_EQ(on.config->relay.max_port, 50100);
  EXPECT_EQ(on.config->relay.credential_ttl, std::chrono::minutes(90));
  EXPECT_FALSE(parse({"--turn-credential-ttl", "10"}).config);  // under a minute
  EXPECT_FALSE(parse({"--turn-credential-ttl", "8d"}).config);
  EXPECT_FALSE(parse({"--turn-port", "70000"}).config);
}

}  // namespace
}  // namespace peerdrop::app
