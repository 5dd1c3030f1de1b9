#include "transfer/partial_file.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <optional>
#include <string>

#include "core/errc.hpp"
#include "support/temp_dir.hpp"
#include "unit/transfer/transfer_test_files.hpp"

namespace peerdrop::transfer {
namespace {

namespace fs = std::filesystem;
using core::Errc;
using test_files::bytes;
using test_files::read;
using test_files::safe;
using test_files::sha256_hex;

// Deterministic content of any size, not one repeated byte (so misplaced bytes show).
std::string content_of_size(std::size_t size) {
  std::string content(size, '\0');
  for (std::size_t i = 0; i < size; ++i) content[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  return content;
}

class PartialFileTest : public ::testing::Test {
 protected:
  PartialFile open(std::string_view transfer_id = "t1", std::uint32_t index = 0, std::uint64_t max_size = 1 << 20) {
    auto file = PartialFile::open(folder_, transfer_id, index, max_size);
    EXPECT_TRUE(file.has_value()) << (file ? "" : file.error().message());
    return std::move(file).value();
  }

  // Everything in the download folder but the partial folder.
  std::vector<std::string> visible_files() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::recursive_directory_iterator(downloads_)) {
      const auto relative = fs::relative(entry.path(), downloads_).string();
      if (!relative.starts_with(".peerdrop-partial")) names.push_back(relative);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  testing::TempDir dir_;
  fs::path downloads_ = dir_.path() / "PeerDrop";
  DownloadFolder folder_ = DownloadFolder::open(downloads_).value();
  fs::path partial_dir_ = downloads_ / ".peerdrop-partial";
};

TEST_F(PartialFileTest, IsCreatedInThePartialFolder) {
  const auto file = open("abc-123_XYZ", 7);
  EXPECT_EQ(file.name(), "abc-123_XYZ-7.part");
  EXPECT_TRUE(fs::is_regular_file(partial_dir_ / "abc-123_XYZ-7.part"));
  EXPECT_EQ(file.received(), 0u);
  EXPECT_EQ(file.durable(), 0u);
  EXPECT_TRUE(file.is_open());
  EXPECT_TRUE(visible_files().empty());
}

TEST_F(PartialFileTest, RefusesTransferIdsThatAreNotPlainNames) {
  const std::initializer_list<std::string_view> ids{"", "../x", "a/b", "a.b", "a b", "ä", std::string_view("a\0b", 3)};
  for (const auto id : ids) {
    const auto file = PartialFile::open(folder_, id, 0, 10);
    ASSERT_FALSE(file.has_value()) << id;
    EXPECT_EQ(file.error(), Errc::malformed);
  }
  EXPECT_FALSE(PartialFile::is_valid_transfer_id(std::string(PartialFile::kMaxTransferIdBytes + 1, 'a')));
  EXPECT_TRUE(PartialFile::is_valid_transfer_id(std::string(PartialFile::kMaxTransferIdBytes, 'a')));
}

TEST_F(PartialFileTest, WritesInOrder) {
  auto file = open();
  EXPECT_FALSE(file.write(0, bytes("hello ")));
  EXPECT_FALSE(file.write(6, bytes("world")));
  EXPECT_EQ(file.received(), 11u);
  EXPECT_EQ(read(partial_dir_ / file.name()), "hello world");
}

TEST_F(PartialFileTest, SkipsWhatOverlapsTheReceivedPrefix) {
  auto file = open();
  EXPECT_FALSE(file.write(0, bytes("hello")));
  // Bytes 2..4 were received before: only "!!" is new (the overlap is not written again).
  EXPECT_FALSE(file.write(2, bytes("XXX!!")));
  EXPECT_EQ(file.received(), 7u);
  // Entirely old: nothing happens.
  EXPECT_FALSE(file.write(0, bytes("hel")));
  EXPECT_FALSE(file.write(7, bytes("")));
  EXPECT_EQ(file.received(), 7u);
  EXPECT_EQ(read(partial_dir_ / file.name()), "hello!!");
  EXPECT_EQ(file.finish(7, sha256_hex("hello!!"), safe("greeting.txt")).value(), "greeting.txt");
}

TEST_F(PartialFileTest, RefusesAGap) {
  auto file = open();
  EXPECT_FALSE(file.write(0, bytes("abc")));
  EXPECT_EQ(file.write(4, bytes("e")), Errc::out_of_order);
  EXPECT_EQ(file.received(), 3u);
  EXPECT_FALSE(file.write(3, bytes("de")));
  EXPECT_EQ(read(partial_dir_ / file.name()), "abcde");
}

TEST_F(PartialFileTest, RefusesBytesPastTheAnnouncedSize) {
  auto file = open("t1", 0, 4);
  EXPECT_EQ(file.write(0, bytes("hello")), Errc::too_large);
  EXPECT_EQ(file.received(), 0u);
  EXPECT_FALSE(file.write(0, bytes("hell")));
  EXPECT_EQ(file.write(4, bytes("o")), Errc::too_large);
  EXPECT_EQ(file.received(), 4u);
}

TEST_F(PartialFileTest, CheckpointMakesTheReceivedPrefixDurable) {
  auto file = open();
  EXPECT_FALSE(file.write(0, bytes("abc")));
  EXPECT_EQ(file.durable(), 0u);
  EXPECT_EQ(file.checkpoint().value(), 3u);
  EXPECT_EQ(file.durable(), 3u);
  EXPECT_FALSE(file.write(3, bytes("def")));
  EXPECT_EQ(file.received(), 6u);
  EXPECT_EQ(file.durable(), 3u);
  EXPECT_EQ(file.checkpoint().value(), 6u);
}

TEST_F(PartialFileTest, ResumesAfterARestartWithTheRightHash) {
  const auto content = content_of_size(3 * 1024 * 1024 + 123);  // more than one read-back buffer
  const std::uint64_t half = content.size() / 2;
  {
    auto file = open("t1", 0, content.size());
    for (std::uint64_t at = 0; at < half; at += 64 * 1024) {
      const auto chunk = std::string_view(content).substr(at, std::min<std::uint64_t>(64 * 1024, half - at));
      ASSERT_FALSE(file.write(at, bytes(chunk)));
    }
    EXPECT_EQ(file.checkpoint().value(), half);
  }  // the daemon stops: the object goes, the partial file stays
  auto file = open("t1", 0, content.size());
  EXPECT_EQ(file.received(), half);
  EXPECT_EQ(file.durable(), half);
  // The sender resumes at the offset we answer, and sends a little before it too.
  EXPECT_FALSE(file.write(half - 10, bytes(std::string_view(content).substr(half - 10))));
  EXPECT_EQ(file.received(), content.size());
  EXPECT_EQ(file.finish(content.size(), sha256_hex(content), safe("big.bin")).value(), "big.bin");
  EXPECT_EQ(read(downloads_ / "big.bin"), content);
}

TEST_F(PartialFileTest, ResumesFromEverythingThatReachedTheFile) {
  // Written after the last checkpoint, but in the file when the daemon was killed: kept, and synced on reopen.
  {
    auto file = open();
    EXPECT_FALSE(file.write(0, bytes("abc")));
    EXPECT_TRUE(file.checkpoint().has_value());
    EXPECT_FALSE(file.write(3, bytes("def")));
  }
  auto file = open();
  EXPECT_EQ(file.received(), 6u);
  EXPECT_EQ(file.durable(), 6u);
  EXPECT_FALSE(file.write(6, bytes("g")));
  EXPECT_TRUE(file.finish(7, sha256_hex("abcdefg"), safe("a.txt")).has_value());
}

TEST_F(PartialFileTest, StartsOverWhenTheFileIsLargerThanAnnounced) {
  {
    auto file = open("t1", 0, 10);
    EXPECT_FALSE(file.write(0, bytes("0123456789")));
  }
  auto file = open("t1", 0, 5);
  EXPECT_EQ(file.received(), 0u);
  EXPECT_EQ(read(partial_dir_ / file.name()), "");
}

TEST_F(PartialFileTest, CanBeOpenedOnlyOnceAtATime) {
  std::optional<PartialFile> first = open("t1", 0);
  const auto second = PartialFile::open(folder_, "t1", 0, 100);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error(), Errc::in_use);
  EXPECT_TRUE(PartialFile::open(folder_, "t1", 1, 100).has_value());  // another file of the transfer
  first.reset();
  EXPECT_TRUE(PartialFile::open(folder_, "t1", 0, 100).has_value());
}

TEST_F(PartialFileTest, FinishMovesTheVerifiedFileToItsName) {
  auto file = open();
  EXPECT_FALSE(file.write(0, bytes("hello")));
  EXPECT_TRUE(visible_files().empty());  // nothing under a final name before it is verified
  EXPECT_EQ(file.finish(5, sha256_hex("hello"), safe("docs/notes/a.txt")).value(), "docs/notes/a.txt");
  EXPECT_EQ(read(downloads_ / "docs/notes/a.txt"), "hello");
  EXPECT_FALSE(fs::exists(partial_dir_ / "t1-0.part"));
  EXPECT_FALSE(file.is_open());
  EXPECT_EQ(file.write(5, bytes("x")), Errc::file_closed);
  EXPECT_EQ(file.finish(5, sha256_hex("hello"), safe("b.txt")).error(), Errc::file_closed);
}

TEST_F(PartialFileTest, FinishesAnEmptyFile) {
  auto file = open("t1", 0, 0);
  EXPECT_EQ(file.finish(0, sha256_hex(""), safe("empty")).value(), "empty");
  EXPECT_TRUE(fs::is_regular_file(downloads_ / "empty"));
  EXPECT_EQ(fs::file_size(downloads_ / "empty"), 0u);
}

TEST_F(PartialFileTest, AcceptsTheHashInEitherCase) {
  auto file = open();
  EXPECT_FALSE(file.write(0, bytes("x")));
  std::string upper = sha256_hex("x");
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(file.finish(1, upper, safe("x")).has_value());
}

TEST_F(PartialFileTest, RefusesAMalformedHash) {
  auto file = open();
  EXPECT_FALSE(file.write(0, bytes("x")));
  const auto good = sha256_hex("x");
  for (const std::string& hex : {std::string(), std::string("xyz"), good.substr(1), good + "0",
                                 std::string(64, 'g'), good.substr(0, 63) + " "}) {
    EXPECT_EQ(file.finish(1, hex, safe("x")).error(), Errc::malformed) << hex;
  }
  EXPECT_TRUE(file.is_open());
  EXPECT_TRUE(visible_files().empty());
}

TEST_F(PartialFileTest, HashMismatchRemovesThePartialFile) {
  auto file = open();
  EXPECT_FALSE(file.write(0, bytes("hellO")));
  const auto finished = file.finish(5, sha256_hex("hello"), safe("a.txt"));
  ASSERT_FALSE(finished.has_value());
  EXPECT_EQ(finished.error(), Errc::hash_mismatch);
  EXPECT_FALSE(file.is_open());
  EXPECT_FALSE(fs::exists(partial_dir_ / "t1-0.part"));
  EXPECT_TRUE(visible_files().empty());
  // Sent again, it starts from nothing.
  EXPECT_EQ(open().received(), 0u);
}

TEST_F(PartialFileTest, SizeMismatchKeepsThePartialFile) {
  auto file = open();
  EXPECT_FALSE(file.write(0, bytes("hel")));
  EXPECT_EQ(file.finish(5, sha256_hex("hello"), safe("a.txt")).error(), Errc::size_mismatch);
  EXPECT_TRUE(file.is_open());
  EXPECT_TRUE(visible_files().empty());
  EXPECT_FALSE(file.write(3, bytes("lo")));
  EXPECT_EQ(file.finish(3, sha256_hex("hel"), safe("a.txt")).error(), Errc::size_mismatch);
  EXPECT_EQ(file.finish(5, sha256_hex("hello"), safe("a.txt")).value(), "a.txt");
}

TEST_F(PartialFileTest, FinishedFilesOfTheSameNameAreNumbered) {
  std::uint32_t index = 0;
  for (const std::string_view expected : {"a.txt", "a (1).txt", "a (2).txt"}) {
    auto file = open("t1", index++);
    const std::string content(expected);
    EXPECT_FALSE(file.write(0, bytes(content)));
    EXPECT_EQ(file.finish(content.size(), sha256_hex(content), safe("a.txt")).value(), expected);
    EXPECT_EQ(read(downloads_ / expected), content);
  }
  EXPECT_EQ(visible_files(), (std::vector<std::string>{"a (1).txt", "a (2).txt", "a.txt"}));
}

TEST_F(PartialFileTest, KeepsTheVerifiedFileWhenItsFolderIsBlocked) {
  test_files::write(downloads_ / "photos", "a file, not a folder");
  auto file = open();
  EXPECT_FALSE(file.write(0, bytes("jpg")));
  EXPECT_EQ(file.finish(3, sha256_hex("jpg"), safe("photos/a.jpg")).error(), Errc::path_blocked);
  EXPECT_TRUE(file.is_open());
  EXPECT_EQ(file.finish(3, sha256_hex("jpg"), safe("photos-2/a.jpg")).value(), "photos-2/a.jpg");
}

TEST_F(PartialFileTest, DiscardRemovesThePartialFile) {
  auto file = open();
  EXPECT_FALSE(file.write(0, bytes("abc")));
  EXPECT_FALSE(file.discard());
  EXPECT_FALSE(fs::exists(partial_dir_ / "t1-0.part"));
  EXPECT_FALSE(file.is_open());
  EXPECT_EQ(file.discard(), Errc::file_closed);
  EXPECT_EQ(file.checkpoint().error(), Errc::file_closed);
}

TEST_F(PartialFileTest, AWriteErrorIsAValueAndKeepsWhatWasWritten) {
  // A file size limit stands in for a full disk: the kernel writes up to it,
  // then refuses (EFBIG). In a child process, which the limit dies with.
  const auto write_past_the_limit = [this] {
    auto file = open();
    std::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{1000, 1000};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    const auto content = content_of_size(1500);
    const auto error = file.write(0, bytes(content));
    return error == boost::system::errc::file_too_large && file.received() == 1000 &&
           read(partial_dir_ / file.name()) == content.substr(0, 1000);
  };
  EXPECT_EXIT(std::exit(write_past_the_limit() ? 0 : 1), ::testing::ExitedWithCode(0), "");
}

TEST_F(PartialFileTest, SaysWhatAResumeWouldStartFromWithoutOpeningIt) {
  EXPECT_EQ(PartialFile::resumable_size(folder_, "t1", 0, 100).value(), 0u);  // nothing yet
  {
    auto file = open("t1", 0, 100);
    ASSERT_FALSE(file.write(0, bytes("hello")));
  }
  EXPECT_EQ(PartialFile::resumable_size(folder_, "t1", 0, 100).value(), 5u);
  EXPECT_EQ(PartialFile::resumable_size(folder_, "t1", 0, 4).value(), 0u);  // larger than the file: starts again
  EXPECT_EQ(PartialFile::resumable_size(folder_, "t1", 1, 100).value(), 0u);
  EXPECT_EQ(PartialFile::resumable_size(folder_, "bad id", 0, 100).error(), Errc::malformed);
  fs::create_symlink(dir_.path() / "elsewhere", partial_dir_ / "t2-0.part");
  EXPECT_EQ(PartialFile::resumable_size(folder_, "t2", 0, 100).error(), Errc::path_blocked);
  // It did not lock the file: it opens as usual.
  auto again = open("t1", 0, 100);
  EXPECT_EQ(again.received(), 5u);
}

TEST_F(PartialFileTest, DiscardsTheClosedPartialFilesOfOneTransferOnly) {
  for (const std::uint32_t index : {0u, 1u, 12u}) {
    auto file = open("t1", index, 100);
    ASSERT_FALSE(file.write(0, bytes("x")));
  }
  auto kept_open = open("t1", 2, 100);
  open("t1-0", 0, 100);  // another id that starts like this one and a dash
  open("t10", 0, 100);
  test_files::write(partial_dir_ / "t1-x.part", "not a partial name of t1");
  test_files::write(partial_dir_ / "t1-3.txt", "not a partial file");
  EXPECT_EQ(PartialFile::discard_transfer(folder_, "t1").value(), 3u);
  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(partial_dir_)) left.push_back(entry.path().filename().string());
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"t1-0-0.part", "t1-2.part", "t1-3.txt", "t1-x.part", "t10-0.part"}));
  EXPECT_EQ(PartialFile::discard_transfer(folder_, "../x").error(), Errc::malformed);
}

}  // namespace
}  // namespace peerdrop::transfer
