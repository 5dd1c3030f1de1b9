#include "transfer/download_folder.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "core/errc.hpp"
#include "support/temp_dir.hpp"
#include "unit/transfer/transfer_test_files.hpp"

namespace peerdrop::transfer {
namespace {

namespace fs = std::filesystem;
using core::Errc;
using test_files::mode_of;
using test_files::read;
using test_files::safe;
using test_files::write;

class DownloadFolderTest : public ::testing::Test {
 protected:
  DownloadFolder open_folder() {
    auto folder = DownloadFolder::open(downloads_);
    EXPECT_TRUE(folder.has_value()) << (folder ? "" : folder.error().message());
    return std::move(folder).value();
  }

  // Puts a partial file with `content` in the partial folder and moves it to `to`.
  boost::system::result<std::string> receive(const DownloadFolder& folder, std::string_view to,
                                             std::string_view content) {
    write(folder.partial_path() / "incoming.part", content);
    return folder.move_into_place("incoming.part", safe(to));
  }

  testing::TempDir dir_;
  fs::path downloads_ = dir_.path() / "Downloads" / "PeerDrop";
};

TEST_F(DownloadFolderTest, CreatesTheFolderAndAPrivatePartialFolder) {
  const auto folder = open_folder();
  EXPECT_EQ(folder.path(), downloads_);
  EXPECT_TRUE(fs::is_directory(downloads_));
  EXPECT_EQ(folder.partial_path(), downloads_ / ".peerdrop-partial");
  EXPECT_EQ(mode_of(folder.partial_path()), 0700u);
}

TEST_F(DownloadFolderTest, MakesAnExistingPartialFolderPrivate) {
  fs::create_directories(downloads_ / ".peerdrop-partial");
  fs::permissions(downloads_ / ".peerdrop-partial", fs::perms::all);
  open_folder();
  EXPECT_EQ(mode_of(downloads_ / ".peerdrop-partial"), 0700u);
}

TEST_F(DownloadFolderTest, RefusesALinkAsThePartialFolder) {
  fs::create_directories(downloads_);
  fs::create_directory(dir_.path() / "elsewhere");
  fs::create_directory_symlink(dir_.path() / "elsewhere", downloads_ / ".peerdrop-partial");
  const auto folder = DownloadFolder::open(downloads_);
  ASSERT_FALSE(folder.has_value());
  EXPECT_EQ(folder.error(), Errc::path_blocked);
}

TEST_F(DownloadFolderTest, MovesAFileToItsName) {
  const auto folder = open_folder();
  EXPECT_EQ(receive(folder, "a.txt", "hello").value(), "a.txt");
  EXPECT_EQ(read(downloads_ / "a.txt"), "hello");
  EXPECT_FALSE(fs::exists(folder.partial_path() / "incoming.part"));
}

TEST_F(DownloadFolderTest, NumbersACollisionAndNeverOverwrites) {
  const auto folder = open_folder();
  EXPECT_EQ(receive(folder, "a.txt", "first").value(), "a.txt");
  EXPECT_EQ(receive(folder, "a.txt", "second").value(), "a (1).txt");
  EXPECT_EQ(receive(folder, "a.txt", "third").value(), "a (2).txt");
  EXPECT_EQ(read(downloads_ / "a.txt"), "first");
  EXPECT_EQ(read(downloads_ / "a (1).txt"), "second");
  EXPECT_EQ(read(downloads_ / "a (2).txt"), "third");
  EXPECT_EQ(receive(folder, "README", "x").value(), "README");
  EXPECT_EQ(receive(folder, "README", "y").value(), "README (1)");
}

TEST_F(DownloadFolderTest, TreatsAFolderOfTheSameNameAsTaken) {
  const auto folder = open_folder();
  fs::create_directory(downloads_ / "report.pdf");
  EXPECT_EQ(receive(folder, "report.pdf", "pdf").value(), "report (1).pdf");
  EXPECT_TRUE(fs::is_directory(downloads_ / "report.pdf"));
}

TEST_F(DownloadFolderTest, CreatesTheFoldersOfThePath) {
  const auto folder = open_folder();
  EXPECT_EQ(receive(folder, "photos/2024/summer/a.jpg", "jpg").value(), "photos/2024/summer/a.jpg");
  EXPECT_EQ(read(downloads_ / "photos/2024/summer/a.jpg"), "jpg");
  // The next file of the same folder goes next to it; a taken name is numbered inside the folder.
  EXPECT_EQ(receive(folder, "photos/2024/summer/b.jpg", "b").value(), "photos/2024/summer/b.jpg");
  EXPECT_EQ(receive(folder, "photos/2024/summer/a.jpg", "again").value(), "photos/2024/summer/a (1).jpg");
}

TEST_F(DownloadFolderTest, NeverFollowsALinkInThePath) {
  const auto folder = open_folder();
  fs::create_directory(dir_.path() / "outside");
  fs::create_directory_symlink(dir_.path() / "outside", downloads_ / "photos");
  const auto moved = receive(folder, "photos/a.jpg", "jpg");
  ASSERT_FALSE(moved.has_value());
  EXPECT_EQ(moved.error(), Errc::path_blocked);
  EXPECT_TRUE(fs::is_empty(dir_.path() / "outside"));
  EXPECT_TRUE(fs::exists(folder.partial_path() / "incoming.part"));  // still there to retry or discard
}

TEST_F(DownloadFolderTest, RefusesAFileWhereAFolderShouldBe) {
  const auto folder = open_folder();
  write(downloads_ / "photos", "a file");
  const auto moved = receive(folder, "photos/a.jpg", "jpg");
  ASSERT_FALSE(moved.has_value());
  EXPECT_EQ(moved.error(), Errc::path_blocked);
  EXPECT_EQ(read(downloads_ / "photos"), "a file");
}

TEST_F(DownloadFolderTest, GivesUpAfterTheLastNumberedName) {
  const auto folder = open_folder();
  write(downloads_ / "a.txt", "");
  for (unsigned n = 1; n <= DownloadFolder::kMaxNumberedCopies; ++n) {
    write(downloads_ / FileNameSanitizer::numbered("a.txt", n), "");
  }
  const auto moved = receive(folder, "a.txt", "one too many");
  ASSERT_FALSE(moved.has_value());
  EXPECT_EQ(moved.error(), Errc::name_taken);
}

TEST_F(DownloadFolderTest, ReportsAMissingPartialFile) {
  const auto folder = open_folder();
  const auto moved = folder.move_into_place("nothing.part", safe("a.txt"));
  ASSERT_FALSE(moved.has_value());
  EXPECT_EQ(moved.error(), boost::system::errc::no_such_file_or_directory);
  EXPECT_FALSE(fs::exists(downloads_ / "a.txt"));
}

TEST_F(DownloadFolderTest, DuplicateWorksOnTheSameFolders) {
  auto copy = open_folder().duplicate();  // the original is gone: the copy has descriptors of its own
  ASSERT_TRUE(copy.has_value());
  EXPECT_EQ(receive(*copy, "a.txt", "x").value(), "a.txt");
}

TEST_F(DownloadFolderTest, OpensAReceivedFileForReading) {
  const auto folder = open_folder();
  ASSERT_TRUE(receive(folder, "photos/a.jpg", "jpeg"));
  auto file = folder.open_file(safe("photos/a.jpg"));
  ASSERT_TRUE(file) << file.error().message();
  char buffer[8] = {};
  EXPECT_EQ(::pread(file->get(), buffer, sizeof buffer, 0), 4);
  EXPECT_EQ(std::string(buffer, 4), "jpeg");
}

TEST_F(DownloadFolderTest, OpensNothingMissingNothingButFilesAndNeverThroughALink) {
  const auto folder = open_folder();
  EXPECT_EQ(folder.open_file(safe("missing.txt")).error(), boost::system::errc::no_such_file_or_directory);
  fs::create_directories(downloads_ / "folder");
  EXPECT_EQ(folder.open_file(safe("folder")).error(), boost::system::errc::no_such_file_or_directory);
  ::mkfifo((downloads_ / "fifo").c_str(), 0600);
  EXPECT_EQ(folder.open_file(safe("fifo")).error(), boost::system::errc::no_such_file_or_directory);

  // Links to what is outside, as the last component or on the way.
  write(dir_.path() / "secret.txt", "secret");
  fs::create_symlink(dir_.path() / "secret.txt", downloads_ / "link.txt");
  EXPECT_EQ(folder.open_file(safe("link.txt")).error(), Errc::path_blocked);
  fs::create_directory_symlink(dir_.path(), downloads_ / "outside");
  EXPECT_EQ(folder.open_file(safe("outside/secret.txt")).error(), Errc::path_blocked);
  write(downloads_ / "plain", "x");
  EXPECT_EQ(folder.open_file(safe("plain/x.txt")).error(), Errc::path_blocked);
}

TEST_F(DownloadFolderTest, SaysHowMuchSpaceIsLeft) {
  const auto folder = open_folder();
  const auto available = folder.available_bytes();
  ASSERT_TRUE(available);
  EXPECT_GT(*available, 0u);
}

}  // namespace
}  // namespace peerdrop::transfer
