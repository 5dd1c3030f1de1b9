#include "cli/daemon_settings.hpp"

#include <gtest/gtest.h>

namespace peerdrop::cli {
namespace {

TEST(DaemonSettings, ReadsWhatGetApiSettingsAnswers) {
  const auto settings = parse_daemon_settings(
      R"({"name":"Alice's laptop","iceServers":[],"connectTimeoutMs":30000,)"
      R"("autoAccept":["MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPIYTEMZUGU3A"],"relay":false,)"
      R"("downloadDir":"/home/alice/Downloads/PeerDrop"})");
  ASSERT_TRUE(settings);
  EXPECT_EQ(settings->name, "Alice's laptop");
  EXPECT_EQ(settings->auto_accept, std::vector<std::string>{"MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPIYTEMZUGU3A"});
  EXPECT_EQ(settings->download_dir, "/home/alice/Downloads/PeerDrop");
}

TEST(DaemonSettings, RefusesAnAnswerWithAFieldMissingOrOfTheWrongType) {
  for (const char* body :
       {R"({"autoAccept":[],"downloadDir":"/d"})", R"({"name":"a","downloadDir":"/d"})",
        R"({"name":"a","autoAccept":[],"downloadDir":7})", R"({"name":"a","autoAccept":{},"downloadDir":"/d"})",
        R"({"name":"a","autoAccept":[1],"downloadDir":"/d"})", "[]", ""}) {
    EXPECT_FALSE(parse_daemon_settings(body)) << body;
  }
}

}  // namespace
}  // namespace peerdrop::cli
