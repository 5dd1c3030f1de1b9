#include "control/control_token_file.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "core/errc.hpp"
#include "support/temp_dir.hpp"

namespace peerdrop::control {
namespace {

const std::string kToken(52, 'A');

void write(const std::filesystem::path& dir, const std::string& text) {
  std::ofstream(dir / kControlTokenFileName, std::ios::binary | std::ios::trunc) << text;
}

TEST(ControlTokenFile, ReadsTheTokenWithOrWithoutALineEnd) {
  testing::TempDir dir;
  for (const auto& text : {kToken, kToken + "\n", kToken + "\r\n"}) {
    write(dir.path(), text);
    const auto token = read_control_token(dir.path());
    ASSERT_TRUE(token) << text;
    EXPECT_EQ(*token, kToken);
  }
}

TEST(ControlTokenFile, RefusesAnythingElse) {
  testing::TempDir dir;
  EXPECT_EQ(read_control_token(dir.path()).error(), boost::system::errc::no_such_file_or_directory);
  for (const auto& text : {std::string(), std::string("\n"), kToken.substr(1) + "\n", kToken + "A\n",
                           std::string(52, 'a') + "\n", std::string(51, 'A') + "1\n", kToken + "\n\n",
                           " " + kToken, kToken + std::string(100, '\n'), std::string(1 << 20, 'A')}) {
    write(dir.path(), text);
    EXPECT_FALSE(read_control_token(dir.path())) << text.substr(0, 80);
  }
}

TEST(ControlTokenFile, KnowsAToken) {
  EXPECT_TRUE(is_control_token(kToken));
  EXPECT_TRUE(is_control_token("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRST"));
  EXPECT_FALSE(is_control_token(kToken.substr(1)));
  EXPECT_FALSE(is_control_token(std::string(51, 'A') + "8"));
}

}  // namespace
}  // namespace peerdrop::control
