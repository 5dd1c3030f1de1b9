#include "lane/source_files.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/errc.hpp"
#include "support/temp_dir.hpp"

namespace peerdrop::lane {
namespace {

namespace fs = std::filesystem;
using core::Errc;

void write(const fs::path& path, std::string_view content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

std::vector<std::string> names(const SourceFiles& files) {
  std::vector<std::string> out;
  for (const auto& f : files.files) out.push_back(f.path);
  return out;
}

class SourceFilesTest : public ::testing::Test {
 protected:
  boost::system::result<SourceFiles> collect(const std::vector<std::string>& paths, std::size_t max_files = 100) {
    return collect_source_files(paths, max_files, failed_path_);
  }

  testing::TempDir dir_;
  std::string failed_path_ = "stale";
};

TEST_F(SourceFilesTest, OffersAFileUnderItsOwnName) {
  write(dir_.path() / "report.pdf", "12345");
  const auto files = collect({(dir_.path() / "report.pdf").string()});
  ASSERT_TRUE(files) << files.error().message();
  ASSERT_EQ(files->files.size(), 1u);
  const auto& f = files->files[0];
  EXPECT_EQ(f.path, "report.pdf");
  EXPECT_EQ(f.size, 5u);
  EXPECT_EQ(f.source, (dir_.path() / "report.pdf").string());
  struct stat st {};
  ASSERT_EQ(::stat(f.source.c_str(), &st), 0);
  EXPECT_EQ(f.mtime_ns, static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec);
  EXPECT_FALSE(f.from_page);
  EXPECT_EQ(files->skipped, 0u);
  EXPECT_EQ(failed_path_, "");
}

TEST_F(SourceFilesTest, OffersAFolderAsItsFilesUnderTheFoldersNameSorted) {
  const auto photos = dir_.path() / "photos";
  write(photos / "b.jpg", "b");
  write(photos / "2026" / "z.jpg", "zz");
  write(photos / "2026" / "a.jpg", "aaa");
  write(photos / "a.jpg", "");
  fs::create_directories(photos / "empty");
  const auto files = collect({photos.string() + "/"});
  ASSERT_TRUE(files) << files.error().message();
  EXPECT_EQ(names(*files),
            (std::vector<std::string>{"photos/2026/a.jpg", "photos/2026/z.jpg", "photos/a.jpg", "photos/b.jpg"}));
  EXPECT_EQ(files->files[0].size, 3u);
  EXPECT_EQ(files->files[0].source, (photos / "2026" / "a.jpg").string());
  EXPECT_EQ(files->skipped, 0u);
}

TEST_F(SourceFilesTest, SeveralPathsKeepTheirOrder) {
  write(dir_.path() / "z.txt", "z");
  write(dir_.path() / "docs" / "a.txt", "a");
  const auto files = collect({(dir_.path() / "z.txt").string(), (dir_.path() / "docs").string()});
  ASSERT_TRUE(files);
  EXPECT_EQ(names(*files), (std::vector<std::string>{"z.txt", "docs/a.txt"}));
}

TEST_F(SourceFilesTest, LeavesOutLinksAndSpecialFiles) {
  const auto folder = dir_.path() / "folder";
  write(folder / "real.txt", "real");
  write(dir_.path() / "outside" / "secret.txt", "secret");
  fs::create_symlink(folder / "real.txt", folder / "link.txt");
  fs::create_directory_symlink(dir_.path() / "outside", folder / "linked-dir");
  ASSERT_EQ(::mkfifo((folder / "fifo").c_str(), 0600), 0);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const auto socket_path = (folder / "sock").string();
  ASSERT_LT(socket_path.size(), sizeof addr.sun_path);
  std::copy(socket_path.begin(), socket_path.end(), addr.sun_path);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::close(fd);

  const auto files = collect({folder.string()});
  ASSERT_TRUE(files) << files.error().message();
  EXPECT_EQ(names(*files), std::vector<std::string>{"folder/real.txt"});
  EXPECT_EQ(files->skipped, 4u);  // the file link, the folder link, the fifo, the socket

  // A special file named directly is left out too.
  const auto fifo = collect({(folder / "fifo").string()});
  ASSERT_TRUE(fifo);
  EXPECT_TRUE(fifo->files.empty());
  EXPECT_EQ(fifo->skipped, 1u);
}

TEST_F(SourceFilesTest, AMissingPathIsAnErrorThatNamesIt) {
  write(dir_.path() / "here.txt", "x");
  const auto missing = (dir_.path() / "gone.txt").string();
  const auto files = collect({(dir_.path() / "here.txt").string(), missing});
  ASSERT_FALSE(files);
  EXPECT_EQ(files.error(), boost::system::error_code(ENOENT, boost::system::system_category()));
  EXPECT_EQ(failed_path_, missing);
}

TEST_F(SourceFilesTest, RefusesARelativePath) {
  const auto files = collect({"relative/path.txt"});
  ASSERT_FALSE(files);
  EXPECT_EQ(files.error(), Errc::malformed);
  EXPECT_EQ(failed_path_, "relative/path.txt");
}

TEST_F(SourceFilesTest, StopsAtMaxFiles) {
  for (const auto* name : {"a", "b", "c"}) write(dir_.path() / "three" / name, name);
  write(dir_.path() / "one.txt", "1");
  const auto three = (dir_.path() / "three").string();
  const auto one = (dir_.path() / "one.txt").string();
  EXPECT_TRUE(collect({three}, 3));
  const auto over = collect({three}, 2);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error(), Errc::too_many_files);
  EXPECT_TRUE(collect({three, one}, 4));
  const auto file_over = collect({three, one}, 3);
  ASSERT_FALSE(file_over);
  EXPECT_EQ(file_over.error(), Errc::too_many_files);
  const auto folder_over = collect({one, three}, 3);
  ASSERT_FALSE(folder_over);
  EXPECT_EQ(folder_over.error(), Errc::too_many_files);
}

TEST_F(SourceFilesTest, AnEmptyFolderOffersNothing) {
  fs::create_directories(dir_.path() / "empty");
  const auto files = collect({(dir_.path() / "empty").string()});
  ASSERT_TRUE(files);
  EXPECT_TRUE(files->files.empty());
}

}  // namespace
}  // namespace peerdrop::lane
