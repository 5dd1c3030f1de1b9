#include "cli/open_command.hpp"

#include <gtest/gtest.h>

namespace peerdrop::cli {
namespace {

TEST(OpenCommand, ForwardingPageGoesToTheLinkAndTellsNoOneWhereItCameFrom) {
  const std::string link = "http://127.0.0.1:3001/#token=ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRST";
  const auto page = OpenCommand::forwarding_page(link);
  EXPECT_NE(page.find("<meta http-equiv=\"refresh\" content=\"0;url=" + link + "\">"), std::string::npos) << page;
  EXPECT_NE(page.find("<a href=\"" + link + "\">"), std::string::npos) << page;
  EXPECT_NE(page.find("<meta name=\"referrer\" content=\"no-referrer\">"), std::string::npos) << page;
}

TEST(OpenCommand, ForwardingPageEscapesTheLink) {
  const auto page = OpenCommand::forwarding_page("http://x/\"><script>&");
  EXPECT_EQ(page.find("<script>"), std::string::npos) << page;
  EXPECT_NE(page.find("http://x/&quot;&gt;&lt;script&gt;&amp;"), std::string::npos) << page;
}

}  // namespace
}  // namespace peerdrop::cli
