#include "transfer/transfer_service.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/errc.hpp"
#include "core/error_text.hpp"
#include "support/fake_clock.hpp"
#include "support/temp_dir.hpp"
#include "transfer/file_frame.hpp"
#include "unit/transfer/transfer_test_files.hpp"

namespace peerdrop::transfer {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using core::Errc;
using test_files::bytes;
using test_files::read;
using test_files::sha256_hex;
using Progress = TransferService::Progress;

constexpr std::uint64_t kMiB = 1024 * 1024;
const std::string kAlice(52, 'A');
const std::string kBob(52, 'B');
const std::string kTid = "tid_0123456789abcdefghij";  // 24 characters

std::string content_of_size(std::size_t size, char seed = 'a') {
  std::string content(size, '\0');
  for (std::size_t i = 0; i < size; ++i) content[i] = static_cast<char>(seed + (i * 7 + i / 251) % 26);
  return content;
}

std::vector<std::uint8_t> frame(std::uint32_t handle, std::uint64_t offset, std::string_view data) {
  std::vector<std::uint8_t> out;
  append_file_frame(handle, offset, bytes(data), out);
  return out;
}

// The received files' store, as the daemon wires it: what finish() placed, by (peer, transfer id, index).
class FinishedFiles {
 public:
  void add(const ReceivedFile& file) { files_[{file.from, file.transfer_id, file.index}] = file; }
  std::optional<ReceivedFile> find(const std::string& peer, const std::string& tid, std::uint32_t index) const {
    const auto it = files_.find({peer, tid, index});
    if (it == files_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::map<std::tuple<std::string, std::string, std::uint32_t>, ReceivedFile> files_;
};

class TransferServiceTest : public ::testing::Test {
 protected:
  TransferService::Opened open(TransferService::Tab tab, std::string path, std::uint64_t size, std::uint32_t index = 0,
                               const std::string& peer = kAlice, const std::string& tid = kTid) {
    auto opened = service_.open(tab, {.peer = peer, .transfer_id = tid, .index = index, .path = path, .size = size});
    EXPECT_TRUE(opened) << (opened ? "" : opened.error().message());
    return opened ? *opened : TransferService::Opened{};
  }
  boost::system::error_code open_error(TransferService::OpenRequest request, TransferService::Tab tab = 1) {
    const auto opened = service_.open(tab, request);
    return opened ? boost::system::error_code{} : opened.error();
  }
  // Sends `content[from, to)` in frames of `chunk` bytes; the first error, if any.
  boost::system::error_code send(TransferService::Tab tab, std::uint32_t handle, std::string_view content,
                                 std::uint64_t from, std::uint64_t to, std::size_t chunk = kMiB) {
    for (auto offset = from; offset < to; offset += chunk) {
      const auto length = std::min<std::uint64_t>(chunk, to - offset);
      const auto result = service_.receive_frame(tab, frame(handle, offset, content.substr(offset, length)));
      if (result.error) return result.error;
    }
    return {};
  }
  std::vector<std::string> partial_files() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(downloads_ / ".peerdrop-partial")) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  testing::TempDir dir_;
  fs::path downloads_ = dir_.path() / "PeerDrop";
  DownloadFolder folder_ = DownloadFolder::open(downloads_).value();
  testing::FakeClock clock_;
  TransferConfig config_;
  std::vector<Progress> progress_;
  FinishedFiles landed_;  // empty unless a test adds to it
  TransferService service_{
      folder_, config_, clock_, core::make_logger("test"),
      TransferService::Hooks{.progress = [this](const Progress& p) { progress_.push_back(p); },
                             .finished_lookup = [this](const std::string& peer, const std::string& tid,
                                                       std::uint32_t index) { return landed_.find(peer, tid, index); }}};
};

TEST_F(TransferServiceTest, WritesAFileCheckpointingEveryFourMebibytesAndFinishesIt) {
  const auto content = content_of_size(10 * kMiB + 123);
  const auto opened = open(1, "photos/a.jpg", content.size());
  EXPECT_EQ(opened.handle, 1u);
  EXPECT_EQ(opened.offset, 0u);
  EXPECT_EQ(opened.name, "photos/a.jpg");

  ASSERT_FALSE(send(1, opened.handle, content, 0, content.size()));
  // 10 MiB in 1 MiB frames, no time passing: checkpoints at 4 and 8 MiB.
  ASSERT_EQ(progress_.size(), 2u);
  EXPECT_EQ(progress_[0].tab, 1u);
  EXPECT_EQ(progress_[0].peer, kAlice);
  EXPECT_EQ(progress_[0].transfer_id, kTid);
  EXPECT_EQ(progress_[0].index, 0u);
  EXPECT_EQ(progress_[0].received, 4 * kMiB);
  EXPECT_EQ(progress_[0].durable, 4 * kMiB);
  EXPECT_EQ(progress_[1].durable, 8 * kMiB);

  const auto finished = service_.finish(1, opened.handle, content.size(), sha256_hex(content));
  ASSERT_TRUE(finished);
  ASSERT_FALSE(finished->error) << finished->error.message();
  EXPECT_EQ(finished->transfer_id, kTid);
  EXPECT_EQ(finished->file.name, "photos/a.jpg");
  EXPECT_EQ(finished->file.size, content.size());
  EXPECT_EQ(finished->file.sha256, sha256_hex(content));
  EXPECT_EQ(finished->file.from, kAlice);
  EXPECT_EQ(finished->file.received_at, clock_.unix_ms());
  EXPECT_EQ(read(downloads_ / "photos" / "a.jpg"), content);
  // The finish is a checkpoint too, and reported.
  ASSERT_EQ(progress_.size(), 3u);
  EXPECT_EQ(progress_[2].received, content.size());
  EXPECT_EQ(progress_[2].durable, content.size());
  EXPECT_TRUE(partial_files().empty());
  EXPECT_EQ(service_.open_handles(), 0u);
  EXPECT_EQ(service_.active_files(), 0u);
  // The handle is gone with the file.
  EXPECT_EQ(service_.receive_frame(1, frame(opened.handle, 0, "x")).error, Errc::unknown_handle);
}

TEST_F(TransferServiceTest, APartialFolderDeletedWhileRunningIsCreatedAgain) {
  const std::string content(3000, 'p');
  fs::remove_all(downloads_ / ".peerdrop-partial");
  const auto opened = open(1, "after-delete.txt", content.size());
  ASSERT_FALSE(send(1, opened.handle, content, 0, content.size()));
  const auto finished = service_.finish(1, opened.handle, content.size(), sha256_hex(content));
  ASSERT_TRUE(finished);
  ASSERT_FALSE(finished->error) << finished->error.message();
  EXPECT_EQ(read(downloads_ / "after-delete.txt"), content);
  EXPECT_EQ(fs::status(downloads_ / ".peerdrop-partial").permissions() & fs::perms::all, fs::perms::owner_all);
}

TEST_F(TransferServiceTest, ChecksASlowStreamAfterHalfASecond) {
  const auto content = content_of_size(1000);
  const auto opened = open(1, "slow.txt", content.size());
  ASSERT_FALSE(send(1, opened.handle, content, 0, 100));
  EXPECT_TRUE(progress_.empty());
  ASSERT_EQ(service_.next_checkpoint(), clock_.now() + 500ms);

  clock_.advance(499ms);
  EXPECT_EQ(service_.checkpoint_due(), clock_.now() + 1ms);
  EXPECT_TRUE(progress_.empty());
  // The next frame after the interval checkpoints what came so far.
  clock_.advance(1ms);
  ASSERT_FALSE(send(1, opened.handle, content, 100, 200));
  ASSERT_EQ(progress_.size(), 1u);
  EXPECT_EQ(progress_[0].durable, 200u);
  EXPECT_FALSE(service_.next_checkpoint());

  // A stream that stops between checkpoints is checkpointed by the timer's call.
  ASSERT_FALSE(send(1, opened.handle, content, 200, 300));
  clock_.advance(500ms);
  EXPECT_FALSE(service_.checkpoint_due());  // nothing left unsynced
  ASSERT_EQ(progress_.size(), 2u);
  EXPECT_EQ(progress_[1].received, 300u);
  EXPECT_EQ(progress_[1].durable, 300u);
}

TEST_F(TransferServiceTest, ReopeningAfterTheTabClosedResumesFromTheDurableOffset) {
  const auto content = content_of_size(3 * kMiB);
  const auto first = open(1, "big.bin", content.size());
  ASSERT_FALSE(send(1, first.handle, content, 0, 2 * kMiB));
  service_.tab_closed(1);
  EXPECT_EQ(service_.open_handles(), 0u);
  EXPECT_EQ(partial_files().size(), 1u);  // kept for the resume

  // A new tab (a reload) opens it again: everything written is synced and offered.
  const auto again = open(2, "big.bin", content.size());
  EXPECT_EQ(again.offset, 2 * kMiB);
  EXPECT_EQ(service_.receive_frame(1, frame(first.handle, 2 * kMiB, "x")).error, Errc::unknown_handle);
  ASSERT_FALSE(send(2, again.handle, content, again.offset, content.size()));
  const auto finished = service_.finish(2, again.handle, content.size(), sha256_hex(content));
  ASSERT_TRUE(finished && !finished->error);
  EXPECT_EQ(read(downloads_ / "big.bin"), content);
}

TEST_F(TransferServiceTest, ADaemonRestartResumesFromWhatIsOnDisk) {
  const auto content = content_of_size(5 * kMiB);
  {
    TransferService before(folder_, config_, clock_, core::make_logger("test"));
    const auto opened =
        before.open(1, {.peer = kAlice, .transfer_id = kTid, .index = 3, .path = "x.bin", .size = content.size()});
    ASSERT_TRUE(opened);
    for (std::uint64_t offset = 0; offset < 4 * kMiB + 5; offset += kMiB) {
      const auto length = std::min<std::uint64_t>(kMiB, 4 * kMiB + 5 - offset);
      ASSERT_FALSE(before.write(1, opened->handle, offset, bytes(std::string_view(content).substr(offset, length))));
    }
  }  // the daemon stops
  const auto resumed = open(1, "x.bin", content.size(), 3);
  EXPECT_EQ(resumed.offset, 4 * kMiB + 5);
  // A resend of bytes it has is skipped; the rest completes the file.
  ASSERT_FALSE(send(1, resumed.handle, content, 4 * kMiB, content.size()));
  const auto finished = service_.finish(1, resumed.handle, content.size(), sha256_hex(content));
  ASSERT_TRUE(finished && !finished->error);
  EXPECT_EQ(read(downloads_ / "x.bin"), content);
}

TEST_F(TransferServiceTest, TheNewestOpenerTakesAFileOverWithItsBytesDurable) {
  const auto content = content_of_size(100'000);
  const auto first = open(1, "a.txt", content.size());
  ASSERT_FALSE(send(1, first.handle, content, 0, 60'000));
  progress_.clear();
  const auto second = open(2, "a.txt", content.size());
  EXPECT_EQ(second.offset, 60'000u);  // synced before it was offered
  EXPECT_EQ(service_.open_handles(), 1u);
  EXPECT_EQ(service_.receive_frame(1, frame(first.handle, 60'000, "x")).error, Errc::unknown_handle);
  ASSERT_FALSE(send(2, second.handle, content, 60'000, content.size()));
  const auto finished = service_.finish(2, second.handle, content.size(), sha256_hex(content));
  ASSERT_TRUE(finished && !finished->error);
  EXPECT_EQ(read(downloads_ / "a.txt"), content);
}

TEST_F(TransferServiceTest, AFileThatLandedBeforeOpensCompleteAndFinishesAgainUnderTheSameName) {
  auto& landed = landed_;
  const auto content = content_of_size(3 * kMiB + 7);
  const auto first = open(1, "photos/a.jpg", content.size(), 2);
  ASSERT_FALSE(send(1, first.handle, content, 0, content.size()));
  const auto finished = service_.finish(1, first.handle, content.size(), sha256_hex(content));
  ASSERT_TRUE(finished && !finished->error);
  EXPECT_FALSE(finished->again);
  EXPECT_EQ(finished->file.transfer_id, kTid);
  EXPECT_EQ(finished->file.index, 2u);
  landed.add(finished->file);
  // The page reloads before file_finished reaches it: the new tab opens the file again.
  service_.tab_closed(1);
  progress_.clear();
  const auto again = open(2, "photos/a.jpg", content.size(), 2);
  EXPECT_TRUE(again.complete);
  EXPECT_EQ(again.offset, content.size());
  EXPECT_EQ(again.name, "photos/a.jpg");
  EXPECT_TRUE(partial_files().empty());  // no new partial file
  // Bytes the sender still had in flight are skipped; bytes past the end are refused.
  EXPECT_FALSE(send(2, again.handle, content, content.size() - 10, content.size()));
  EXPECT_EQ(service_.receive_frame(2, frame(again.handle, content.size(), "x")).error, Errc::too_large);
  const auto repeated = service_.finish(2, again.handle, content.size(), sha256_hex(content));
  ASSERT_TRUE(repeated);
  ASSERT_FALSE(repeated->error) << repeated->error.message();
  EXPECT_TRUE(repeated->again);
  EXPECT_EQ(repeated->file, finished->file);
  ASSERT_EQ(progress_.size(), 1u);  // reported complete, as a finish is
  EXPECT_EQ(progress_[0].durable, content.size());
  EXPECT_EQ(service_.open_handles(), 0u);
  // One copy, no "a (1).jpg", no partial file.
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(downloads_ / "photos")) names.push_back(entry.path().filename());
  EXPECT_EQ(names, std::vector<std::string>{"a.jpg"});
  EXPECT_EQ(read(downloads_ / "photos" / "a.jpg"), content);
  EXPECT_TRUE(partial_files().empty());
}

TEST_F(TransferServiceTest, AFileThatLandedBeforeIsNotTakenForAnotherOne) {
  auto& landed = landed_;
  const auto content = content_of_size(5000);
  const auto first = open(1, "a.txt", content.size());
  ASSERT_FALSE(send(1, first.handle, content, 0, content.size()));
  const auto finished = service_.finish(1, first.handle, content.size(), sha256_hex(content));
  ASSERT_TRUE(finished && !finished->error);
  landed.add(finished->file);
  // Another size under the same index: received anew.
  EXPECT_EQ(open(1, "a.txt", content.size() + 1).offset, 0u);
  // Another peer or transfer with the same index: received anew.
  EXPECT_FALSE(open(1, "a.txt", content.size(), 0, kBob).complete);
  EXPECT_FALSE(open(1, "a.txt", content.size(), 0, kAlice, "another_transfer_id_0001").complete);
  // The same file finished with another SHA-256 or size: refused, the landed file stays as it is.
  const auto again = open(2, "a.txt", content.size());
  ASSERT_TRUE(again.complete);
  const auto short_finish = service_.finish(2, again.handle, content.size() - 1, sha256_hex(content));
  ASSERT_TRUE(short_finish);
  EXPECT_EQ(short_finish->error, Errc::size_mismatch);
  const auto other = service_.finish(2, again.handle, content.size(), sha256_hex("other"));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->error, Errc::hash_mismatch);
  EXPECT_EQ(read(downloads_ / "a.txt"), content);
  EXPECT_FALSE(fs::exists(downloads_ / "a (1).txt"));
}

TEST_F(TransferServiceTest, AHashMismatchRemovesThePartialFileAndTheHandle) {
  const auto content = content_of_size(5000);
  const auto opened = open(1, "bad.txt", content.size());
  ASSERT_FALSE(send(1, opened.handle, content, 0, content.size()));
  const auto finished = service_.finish(1, opened.handle, content.size(), sha256_hex("something else"));
  ASSERT_TRUE(finished);
  EXPECT_EQ(finished->error, Errc::hash_mismatch);
  EXPECT_EQ(finished->transfer_id, kTid);
  EXPECT_FALSE(fs::exists(downloads_ / "bad.txt"));
  EXPECT_TRUE(partial_files().empty());
  EXPECT_EQ(service_.finish(1, opened.handle, content.size(), sha256_hex(content)).error(), Errc::unknown_handle);
  // Sent again, it starts from nothing.
  EXPECT_EQ(open(1, "bad.txt", content.size()).offset, 0u);
}

TEST_F(TransferServiceTest, ASizeMismatchKeepsTheFileOpenForMoreBytes) {
  const auto content = content_of_size(5000);
  const auto opened = open(1, "short.txt", content.size());
  ASSERT_FALSE(send(1, opened.handle, content, 0, 4000));
  const auto early = service_.finish(1, opened.handle, content.size(), sha256_hex(content));
  ASSERT_TRUE(early);
  EXPECT_EQ(early->error, Errc::size_mismatch);
  ASSERT_FALSE(send(1, opened.handle, content, 4000, content.size()));
  const auto finished = service_.finish(1, opened.handle, content.size(), sha256_hex(content));
  ASSERT_TRUE(finished && !finished->error);
  EXPECT_EQ(read(downloads_ / "short.txt"), content);
}

TEST_F(TransferServiceTest, RefusesGapsAndBytesPastTheSizeAndSkipsOverlaps) {
  const auto content = content_of_size(1000);
  const auto opened = open(1, "order.txt", content.size());
  ASSERT_FALSE(send(1, opened.handle, content, 0, 500, 100));
  const auto gap = service_.receive_frame(1, frame(opened.handle, 501, content.substr(501, 10)));
  EXPECT_EQ(gap.error, Errc::out_of_order);
  EXPECT_EQ(gap.handle, opened.handle);
  EXPECT_EQ(service_.receive_frame(1, frame(opened.handle, 990, std::string(11, 'x'))).error, Errc::out_of_order);
  EXPECT_FALSE(service_.receive_frame(1, frame(opened.handle, 400, content.substr(400, 200))).error);  // overlap
  EXPECT_EQ(service_.receive_frame(1, frame(opened.handle, 600, std::string(401, 'x'))).error, Errc::too_large);
  ASSERT_FALSE(send(1, opened.handle, content, 600, content.size()));
  const auto finished = service_.finish(1, opened.handle, content.size(), sha256_hex(content));
  ASSERT_TRUE(finished && !finished->error);
  EXPECT_EQ(read(downloads_ / "order.txt"), content);
}

TEST_F(TransferServiceTest, AnswersUnknownHandlesAndMalformedFrames) {
  const auto opened = open(1, "a.txt", 10);
  const auto unknown = service_.receive_frame(1, frame(opened.handle + 1, 0, "x"));
  EXPECT_EQ(unknown.error, Errc::unknown_handle);
  EXPECT_EQ(unknown.handle, opened.handle + 1);
  // Handles are per tab: another tab's number means nothing here.
  EXPECT_EQ(service_.receive_frame(2, frame(opened.handle, 0, "x")).error, Errc::unknown_handle);
  EXPECT_EQ(service_.finish(2, opened.handle, 1, sha256_hex("x")).error(), Errc::unknown_handle);
  const std::vector<std::uint8_t> short_frame(11, 0);
  const auto malformed = service_.receive_frame(1, short_frame);
  EXPECT_EQ(malformed.error, Errc::malformed);
  EXPECT_FALSE(malformed.handle);
  EXPECT_EQ(service_.finish(1, opened.handle, 10, "not hex").error(), Errc::malformed);
  EXPECT_EQ(service_.finish(1, opened.handle, 10, std::string(64, 'g')).error(), Errc::malformed);
}

TEST_F(TransferServiceTest, TwoPeersWithTheSameTransferIdNeverMeet) {
  const auto from_alice = content_of_size(3000, 'a');
  const auto from_bob = content_of_size(3000, 'b');
  const auto alice = open(1, "same.txt", from_alice.size(), 0, kAlice);
  const auto bob = open(1, "same.txt", from_bob.size(), 0, kBob);
  EXPECT_NE(alice.handle, bob.handle);
  ASSERT_FALSE(send(1, alice.handle, from_alice, 0, 2000));
  ASSERT_FALSE(send(1, bob.handle, from_bob, 0, 1000));
  const auto names = partial_files();
  ASSERT_EQ(names.size(), 2u);
  EXPECT_NE(
      std::find(names.begin(), names.end(), PartialFile::partial_name(TransferService::scoped_id(kAlice, kTid), 0)),
      names.end());
  // The partial names carry no id of either peer.
  for (const auto& name : names) EXPECT_EQ(name.find(kTid), std::string::npos) << name;

  // Cancelling Alice's transfer leaves Bob's alone.
  ASSERT_FALSE(service_.cancel(kAlice, kTid));
  EXPECT_EQ(partial_files().size(), 1u);
  EXPECT_EQ(service_.receive_frame(1, frame(alice.handle, 2000, "x")).error, Errc::unknown_handle);
  ASSERT_FALSE(send(1, bob.handle, from_bob, 1000, from_bob.size()));
  const auto finished = service_.finish(1, bob.handle, from_bob.size(), sha256_hex(from_bob));
  ASSERT_TRUE(finished && !finished->error);
  EXPECT_EQ(finished->file.from, kBob);
  EXPECT_EQ(read(downloads_ / "same.txt"), from_bob);
}

TEST_F(TransferServiceTest, CancelDiscardsOpenAndClosedPartialFilesOfTheTransfer) {
  const auto content = content_of_size(2000);
  const auto zero = open(1, "a.txt", content.size(), 0);
  ASSERT_FALSE(send(1, zero.handle, content, 0, 1000));
  const auto one = open(2, "b.txt", content.size(), 1);
  ASSERT_FALSE(send(2, one.handle, content, 0, 500));
  service_.tab_closed(2);  // file 1's partial file stays, no longer open
  const auto other = open(1, "c.txt", content.size(), 0, kAlice, "another_transfer_id_0001");
  ASSERT_FALSE(send(1, other.handle, content, 0, 10));
  ASSERT_EQ(partial_files().size(), 3u);

  ASSERT_FALSE(service_.cancel(kAlice, kTid));
  EXPECT_EQ(partial_files(), std::vector<std::string>{PartialFile::partial_name(
                                 TransferService::scoped_id(kAlice, "another_transfer_id_0001"), 0)});
  EXPECT_EQ(service_.receive_frame(1, frame(zero.handle, 1000, "x")).error, Errc::unknown_handle);
  EXPECT_EQ(open(1, "a.txt", content.size(), 0).offset, 0u);
  EXPECT_EQ(service_.cancel("not a peer", kTid), Errc::malformed);
  EXPECT_EQ(service_.cancel(kAlice, "short"), Errc::malformed);
}

TEST_F(TransferServiceTest, RefusesBadIdsNamesAndSizes) {
  TransferService::OpenRequest good{.peer = kAlice, .transfer_id = kTid, .index = 0, .path = "a.txt", .size = 1};
  EXPECT_FALSE(open_error(good));
  auto request = good;
  request.peer = std::string(52, 'a');  // lowercase: not a peer id
  EXPECT_EQ(open_error(request), Errc::malformed);
  for (const std::string tid : {std::string(21, 'x'), std::string(33, 'x'), std::string(22, '.'),
                                std::string("tid/0123456789abcdefghij"), std::string()}) {
    request = good;
    request.transfer_id = tid;
    EXPECT_EQ(open_error(request), Errc::malformed) << tid;
  }
  request = good;
  request.transfer_id = std::string(22, 'x');
  EXPECT_FALSE(open_error(request));
  request.transfer_id = std::string(32, '-');
  EXPECT_FALSE(open_error(request));

  const std::pair<std::string, Errc> names[] = {{"../../etc/passwd", Errc::path_traversal},
                                                {"/etc/passwd", Errc::absolute_path},
                                                {"C:\\x", Errc::absolute_path},
                                                {"", Errc::empty_path},
                                                {"a/b/..", Errc::path_traversal},
                                                {std::string(70'000, 'a'), Errc::path_too_long}};
  for (const auto& [path, error] : names) {
    request = good;
    request.path = path;
    const auto ec = open_error(request);
    EXPECT_EQ(ec, error) << path.substr(0, 40);
    EXPECT_TRUE(core::is_path_error(ec));
  }
  request = good;
  request.path = "CON";
  const auto device = service_.open(1, request);
  ASSERT_TRUE(device);
  EXPECT_EQ(device->name, "_CON");

  request = good;
  request.size = config_.max_file_bytes + 1;
  EXPECT_EQ(open_error(request), Errc::too_large);
  request.size = config_.max_file_bytes;  // more than any test machine's free space
  EXPECT_EQ(open_error(request), Errc::disk_full);
}

// Many files opened at once (a folder of thousands) must not each pass a
// free-space check alone: what is still to come of every open file is
// reserved, and a margin stays free.
TEST_F(TransferServiceTest, ReservesTheRestOfEveryOpenFileAndKeepsAMarginFree) {
  const auto available = folder_.available_bytes().value();
  const auto capacity = folder_.capacity_bytes().value();
  const auto margin = std::min(config_.min_free_bytes, capacity / 100 * config_.min_free_percent);
  ASSERT_GT(available, margin + 400 * kMiB) << "this test needs some free space";
  const auto room = available - margin;
  // A first file takes all but 200 MiB of the room; a second of 300 MiB no longer fits, one of 10 MiB does.
  const auto big = open(1, "big.bin", room - 200 * kMiB, 0);
  EXPECT_NE(big.handle, 0u);
  TransferService::OpenRequest second{.peer = kAlice, .transfer_id = kTid, .index = 1, .path = "second.bin",
                                      .size = 300 * kMiB};
  EXPECT_EQ(open_error(second, 1), Errc::disk_full);
  EXPECT_NE(open(1, "small.bin", 10 * kMiB, 2).handle, 0u);
  // Cancelling the big one frees its reservation: the second fits now.
  EXPECT_FALSE(service_.cancel(kAlice, kTid));
  EXPECT_FALSE(open_error(second, 1));
}

TEST_F(TransferServiceTest, AnEmptyFileFinishesAtOnce) {
  const auto opened = open(1, "empty", 0);
  const auto finished = service_.finish(1, opened.handle, 0, sha256_hex(""));
  ASSERT_TRUE(finished && !finished->error);
  EXPECT_TRUE(fs::is_regular_file(downloads_ / "empty"));
  EXPECT_EQ(fs::file_size(downloads_ / "empty"), 0u);
}

TEST_F(TransferServiceTest, ACollisionGetsANumberedName) {
  test_files::write(downloads_ / "a.txt", "already here");
  const auto opened = open(1, "a.txt", 3);
  ASSERT_FALSE(send(1, opened.handle, "new", 0, 3));
  const auto finished = service_.finish(1, opened.handle, 3, sha256_hex("new"));
  ASSERT_TRUE(finished && !finished->error);
  EXPECT_EQ(finished->file.name, "a (1).txt");
  EXPECT_EQ(read(downloads_ / "a.txt"), "already here");
  EXPECT_EQ(read(downloads_ / "a (1).txt"), "new");
}

TEST_F(TransferServiceTest, KeepsOnlyAFewFilesOpenAndReopensTheOthersWhenTheirBytesCome) {
  config_.max_active_files = 2;
  std::vector<std::string> contents;
  std::vector<TransferService::Opened> files;
  for (std::uint32_t i = 0; i < 5; ++i) {
    contents.push_back(content_of_size(3000 + i, static_cast<char>('a' + i)));
    files.push_back(open(1, "f" + std::to_string(i), contents.back().size(), i));
  }
  EXPECT_EQ(service_.active_files(), 0u);  // opening holds no descriptor
  for (std::uint64_t offset = 0; offset < 3000; offset += 1000) {
    for (std::uint32_t i = 0; i < 5; ++i) ASSERT_FALSE(send(1, files[i].handle, contents[i], offset, offset + 1000));
    EXPECT_LE(service_.active_files(), 2u);
  }
  for (std::uint32_t i = 0; i < 5; ++i) {
    ASSERT_FALSE(send(1, files[i].handle, contents[i], 3000, contents[i].size()));
    const auto finished = service_.finish(1, files[i].handle, contents[i].size(), sha256_hex(contents[i]));
    ASSERT_TRUE(finished && !finished->error) << i;
    EXPECT_EQ(read(downloads_ / ("f" + std::to_string(i))), contents[i]);
  }
}

TEST_F(TransferServiceTest, LimitsTheHandlesOfATab) {
  config_.max_handles_per_tab = 3;
  for (std::uint32_t i = 0; i < 3; ++i) open(1, "f", 1, i);
  EXPECT_EQ(open_error({.peer = kAlice, .transfer_id = kTid, .index = 3, .path = "f", .size = 1}),
            Errc::too_many_files);
  EXPECT_FALSE(open_error({.peer = kAlice, .transfer_id = kTid, .index = 3, .path = "f", .size = 1}, 2));
  service_.tab_closed(1);
  EXPECT_FALSE(open_error({.peer = kAlice, .transfer_id = kTid, .index = 4, .path = "f", .size = 1}));
}

TEST_F(TransferServiceTest, SweepsOldPartialFilesButNotOpenOnes) {
  const auto content = content_of_size(100);
  const auto kept_open = open(1, "a", content.size(), 0);
  ASSERT_FALSE(send(1, kept_open.handle, content, 0, 50));
  const auto closed = open(2, "b", content.size(), 1);
  ASSERT_FALSE(send(2, closed.handle, content, 0, 50));
  service_.tab_closed(2);
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  clock_.set_unix_ms((now_ms + config_.partial_max_age + 1h).count());
  const auto swept = service_.sweep();
  ASSERT_TRUE(swept);
  EXPECT_EQ(swept->removed, 1u);
  EXPECT_EQ(swept->in_use, 1u);
  EXPECT_EQ(partial_files(),
            std::vector<std::string>{PartialFile::partial_name(TransferService::scoped_id(kAlice, kTid), 0)});
}

}  // namespace
}  // namespace peerdrop::transfer
