#include "relay/relay_secret.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "core/startup_error.hpp"
#include "support/temp_dir.hpp"

namespace peerdrop::relay {
namespace {

mode_t mode_of(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

TEST(RelaySecret, IsMadeOnceAndKeptPrivately) {
  testing::TempDir dir;
  const auto file = dir.path() / "relay" / "secret";
  const auto made = RelaySecret::load_or_create(file);
  EXPECT_EQ(made.value().size(), 64u);
  EXPECT_EQ(made.value().find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(mode_of(file), 0600u);
  EXPECT_EQ(mode_of(file.parent_path()), 0700u);
  EXPECT_EQ(RelaySecret::load_or_create(file).value(), made.value());  // the same after a restart
  testing::TempDir other;
  EXPECT_NE(RelaySecret::load_or_create(other.path() / "secret").value(), made.value());
}

TEST(RelaySecret, RefusesADamagedOrReadableFileWithoutShowingIt) {
  testing::TempDir dir;
  const auto file = dir.path() / "secret";
  std::ofstream(file) << "NOTHEXNOTHEX";
  ::chmod(file.c_str(), 0600);
  try {
    RelaySecret::load_or_create(file);
    FAIL() << "a damaged secret was taken";
  } catch (const core::StartupError& e) {
    EXPECT_NE(std::string(e.what()).find("damaged"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("NOTHEX"), std::string::npos);
  }
  std::ofstream(file, std::ios::trunc) << std::string(64, 'a') << "\n";
  EXPECT_EQ(RelaySecret::load_or_create(file).value(), std::string(64, 'a'));  // a trailing newline is fine
  ::chmod(file.c_str(), 0644);
  EXPECT_THROW(RelaySecret::load_or_create(file), core::StartupError);
}

TEST(RelaySecret, AMovedFromSecretIsEmpty) {
  testing::TempDir dir;
  auto secret = RelaySecret::load_or_create(dir.path() / "secret");
  const std::string value(secret.value());
  const auto moved = std::move(secret);
  EXPECT_EQ(moved.value(), value);
  EXPECT_TRUE(secret.value().empty());  // NOLINT(bugprone-use-after-move): wiped on purpose
}

}  // namespace
}  // namespace peerdrop::relay
