#include "cli/daemon_health.hpp"

#include <gtest/gtest.h>

namespace peerdrop::cli {
namespace {

const std::string kBase =
    R"("status":"ok","id":"MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPIYTEMZUGU3A","name":"alice","version":"0.1.0",)"
    R"("port":3001,"discoveryPort":3001,"announcement":"","peers":{"size":1})";

TEST(DaemonHealth, ReadsWhatGetApiHealthAnswers) {
  const auto off = parse_daemon_health("{" + kBase + R"(,"relay":{"enabled":false,"state":"off"}})");
  ASSERT_TRUE(off);
  EXPECT_EQ(off->name, "alice");
  EXPECT_EQ(off->version, "0.1.0");
  EXPECT_EQ(off->port, 3001);
  EXPECT_FALSE(off->relay_enabled);
  EXPECT_EQ(off->relay_state, "off");
  EXPECT_FALSE(off->relay_port);
  const auto on =
      parse_daemon_health("{" + kBase + R"(,"relay":{"enabled":true,"state":"running","port":3478,"restarts":0}})");
  ASSERT_TRUE(on);
  EXPECT_TRUE(on->relay_enabled);
  EXPECT_EQ(on->relay_state, "running");
  EXPECT_EQ(on->relay_port, 3478);
  EXPECT_TRUE(parse_daemon_health("{" + kBase + "}")) << "a daemon without a relay status";
}

TEST(DaemonHealth, RefusesAnAnswerWithAFieldMissingOrOfTheWrongType) {
  for (const auto& body :
       {std::string("{}"), std::string("[]"), std::string("not json"),
        "{" + kBase + R"(,"relay":"off"})", "{" + kBase + R"(,"relay":{"enabled":"no","state":"off"}})",
        "{" + kBase + R"(,"relay":{"enabled":true}})",
        std::string(R"({"id":"X","name":"a","version":"0.1.0","port":70000})"),
        std::string(R"({"id":"X","name":"a","version":1,"port":3001})"),
        std::string(R"({"id":"X","version":"0.1.0","port":3001})")}) {
    EXPECT_FALSE(parse_daemon_health(body)) << body;
  }
}

}  // namespace
}  // namespace peerdrop::cli
