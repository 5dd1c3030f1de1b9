#include "http/control_token.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "support/temp_dir.hpp"

namespace peerdrop::http {
namespace {

namespace bhttp = boost::beast::http;

std::string contents(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

unsigned mode_of(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_mode & 0777;
}

TEST(ControlToken, IsMadeOnceInAFileOnlyThisUserCanRead) {
  testing::TempDir dir;
  const auto first = ControlToken::load_or_create(dir.path());
  const auto path = dir.path() / ControlToken::kFileName;
  EXPECT_EQ(first.value().size(), 52u);
  EXPECT_EQ(contents(path), first.value() + "\n");
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(ControlToken::load_or_create(dir.path()).value(), first.value()) << "a restart keeps the printed link";
  testing::TempDir other;
  EXPECT_NE(ControlToken::load_or_create(other.path()).value(), first.value());
}

TEST(ControlToken, MakesAFileOthersCouldReadPrivateAgain) {
  testing::TempDir dir;
  const auto token = ControlToken::load_or_create(dir.path());
  const auto path = dir.path() / ControlToken::kFileName;
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  EXPECT_EQ(ControlToken::load_or_create(dir.path()).value(), token.value());
  EXPECT_EQ(mode_of(path), 0600u);
}

TEST(ControlToken, ReplacesADamagedFile) {
  testing::TempDir dir;
  const auto path = dir.path() / ControlToken::kFileName;
  for (const auto* damaged : {"", "short\n", "lowercase-is-not-base32-lowercase-is-not-base32-abcd\n"}) {
    std::ofstream(path) << damaged;
    const auto token = ControlToken::load_or_create(dir.path());
    EXPECT_EQ(token.value().size(), 52u) << damaged;
    EXPECT_EQ(contents(path), token.value() + "\n");
  }
}

TEST(ControlToken, IsPresentedInTheHeaderOrTheQueryOnly) {
  const ControlToken token(std::string(52, 'A'));
  const auto with = [](std::string target, std::string authorization = "") {
    Request request(bhttp::verb::get, target, 11);
    if (!authorization.empty()) request.set(bhttp::field::authorization, authorization);
    return request;
  };
  const std::string good(52, 'A');
  EXPECT_TRUE(token.presented_by(with("/api/peers", "Bearer " + good)));
  EXPECT_TRUE(token.presented_by(with("/api/peers", "BEARER " + good)));
  EXPECT_TRUE(token.presented_by(with("/ws?token=" + good)));
  EXPECT_TRUE(token.presented_by(with("/api/files/download?name=a&token=" + good)));
  EXPECT_FALSE(token.presented_by(with("/api/peers")));
  EXPECT_FALSE(token.presented_by(with("/api/peers", "Bearer " + good + "A")));
  EXPECT_FALSE(token.presented_by(with("/api/peers", "Bearer " + std::string(51, 'A'))));
  EXPECT_FALSE(token.presented_by(with("/api/peers", "Bearer")));
  EXPECT_FALSE(token.presented_by(with("/api/peers", good)));
  EXPECT_FALSE(token.presented_by(with("/ws?token")));
  EXPECT_FALSE(token.presented_by(with("/ws?token=")));
  EXPECT_FALSE(token.presented_by(with("/ws?tok=" + good)));
  EXPECT_FALSE(token.presented_by(with("/ws#token=" + good)));
}

}  // namespace
}  // namespace peerdrop::http
