#include "transfer/partial_file_sweeper.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "support/fake_clock.hpp"
#include "support/temp_dir.hpp"
#include "transfer/partial_file.hpp"
#include "unit/transfer/transfer_test_files.hpp"

namespace peerdrop::transfer {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test_files::bytes;

class PartialFileSweeperTest : public ::testing::Test {
 protected:
  // A partial file of `size` bytes, last written `age` before the clock's now.
  fs::path partial_file(std::string_view name, std::chrono::milliseconds age, std::size_t size = 10) {
    const auto path = folder_.partial_path() / name;
    test_files::write(path, std::string(size, 'x'));
    set_age(path, age);
    return path;
  }

  void set_age(const fs::path& path, std::chrono::milliseconds age) {
    const auto mtime_ms = clock_.unix_ms() - age.count();
    const timespec times[2] = {{mtime_ms / 1000, (mtime_ms % 1000) * 1'000'000},
                               {mtime_ms / 1000, (mtime_ms % 1000) * 1'000'000}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW), 0) << path;
  }

  PartialFileSweeper::Result sweep(std::chrono::milliseconds max_age = PartialFileSweeper::kDefaultMaxAge) {
    const auto result = PartialFileSweeper(clock_, max_age).sweep(folder_);
    EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message());
    return result ? *result : PartialFileSweeper::Result{};
  }

  testing::FakeClock clock_;
  testing::TempDir dir_;
  DownloadFolder folder_ = DownloadFolder::open(dir_.path()).value();
};

TEST_F(PartialFileSweeperTest, RemovesPartialFilesOlderThanSevenDaysByDefault) {
  const auto old_file = partial_file("old-0.part", 7 * 24h + 1min, 1000);
  const auto recent = partial_file("recent-0.part", 7 * 24h - 1min);
  const auto result = sweep();
  EXPECT_EQ(result.removed, 1u);
  EXPECT_EQ(result.bytes_removed, 1000u);
  EXPECT_EQ(result.in_use, 0u);
  EXPECT_EQ(result.failed, 0u);
  EXPECT_FALSE(fs::exists(old_file));
  EXPECT_TRUE(fs::exists(recent));
}

TEST_F(PartialFileSweeperTest, TakesTheAgeFromTheInjectedClock) {
  const auto file = partial_file("t-0.part", 6 * 24h);
  EXPECT_EQ(sweep().removed, 0u);
  clock_.advance(24h + 1s);
  EXPECT_EQ(sweep().removed, 1u);
  EXPECT_FALSE(fs::exists(file));
}

TEST_F(PartialFileSweeperTest, UsesTheConfiguredAge) {
  const auto two_hours = partial_file("a-0.part", 2h);
  const auto half_hour = partial_file("b-0.part", 30min);
  EXPECT_EQ(sweep(1h).removed, 1u);
  EXPECT_FALSE(fs::exists(two_hours));
  EXPECT_TRUE(fs::exists(half_hour));
}

TEST_F(PartialFileSweeperTest, KeepsFilesWrittenInTheFuture) {
  const auto file = partial_file("t-0.part", -1h);  // a clock set back since
  EXPECT_EQ(sweep().removed, 0u);
  EXPECT_TRUE(fs::exists(file));
}

TEST_F(PartialFileSweeperTest, LeavesAnOpenPartialFileAlone) {
  std::optional<PartialFile> open = PartialFile::open(folder_, "t", 0, 100).value();
  EXPECT_FALSE(open->write(0, bytes("abc")));
  const auto path = folder_.partial_path() / open->name();
  set_age(path, 30 * 24h);
  const auto result = sweep();
  EXPECT_EQ(result.removed, 0u);
  EXPECT_EQ(result.in_use, 1u);
  EXPECT_TRUE(fs::exists(path));
  open.reset();
  EXPECT_EQ(sweep().removed, 1u);
  EXPECT_FALSE(fs::exists(path));
}

TEST_F(PartialFileSweeperTest, LeavesEverythingElseAlone) {
  const auto notes = partial_file("notes.txt", 30 * 24h);
  fs::create_directory(folder_.partial_path() / "folder.part");
  set_age(folder_.partial_path() / "folder.part", 30 * 24h);
  fs::create_symlink(notes, folder_.partial_path() / "link.part");
  set_age(folder_.partial_path() / "link.part", 30 * 24h);
  const auto downloaded = dir_.path() / "old-0.part";  // a received file, not a partial one
  test_files::write(downloaded, "x");
  set_age(downloaded, 30 * 24h);
  const auto result = sweep();
  EXPECT_EQ(result.removed, 0u);
  EXPECT_EQ(result.failed, 0u);
  EXPECT_TRUE(fs::exists(notes));
  EXPECT_TRUE(fs::is_directory(folder_.partial_path() / "folder.part"));
  EXPECT_TRUE(fs::is_symlink(folder_.partial_path() / "link.part"));
  EXPECT_TRUE(fs::exists(downloaded));
}

TEST_F(PartialFileSweeperTest, SweepsAgainAndAgain) {
  partial_file("a-0.part", 8 * 24h);
  const PartialFileSweeper sweeper(clock_);
  EXPECT_EQ(sweeper.sweep(folder_).value().removed, 1u);
  partial_file("b-0.part", 8 * 24h);
  EXPECT_EQ(sweeper.sweep(folder_).value().removed, 1u);
  EXPECT_TRUE(fs::is_empty(folder_.partial_path()));
}

}  // namespace
}  // namespace peerdrop::transfer
