#include "signaling/outbox.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <limits>
#include <memory>
#include <optional>

#include "core/errc.hpp"
#include "support/fake_clock.hpp"
#include "support/temp_dir.hpp"

namespace peerdrop::signaling {
namespace {

using namespace std::chrono_literals;

constexpr auto kNoLimit = std::numeric_limits<std::size_t>::max();

// An Outbox on a real SQLite file that a test can "restart" (close and reopen).
class OutboxTest : public ::testing::Test {
 protected:
  OutboxTest() { open(); }

  void open(Outbox::Limits limits = {}) {
    outbox_.reset();
    db_.reset();
    db_.emplace(dir_.path() / "peerdrop.db");
    outbox_ = std::make_unique<Outbox>(*db_, clock_, limits);
  }
  void restart(Outbox::Limits limits = {}) { open(limits); }

  Outbox& outbox() { return *outbox_; }

  OutboxEntry send(const std::string& to, std::string payload = "{}", std::chrono::milliseconds ttl = 0ms,
                   std::uint64_t tag = 0) {
    auto result = outbox_->enqueue(to, "ice_candidate", std::move(payload), ttl, tag);
    EXPECT_TRUE(result.has_value()) << result.error().message();
    return result ? *result : OutboxEntry{};
  }

  std::vector<std::uint64_t> sequences(const std::string& to) {
    std::vector<std::uint64_t> out;
    for (const auto& entry : outbox_->pending(to, kNoLimit, kNoLimit)) out.push_back(entry.sequence);
    return out;
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  std::optional<store::SqliteDatabase> db_;
  std::unique_ptr<Outbox> outbox_;
};

TEST_F(OutboxTest, SequencesRisePerRecipientIndependently) {
  EXPECT_EQ(send("alice").sequence, 1u);
  EXPECT_EQ(send("alice").sequence, 2u);
  EXPECT_EQ(send("bob").sequence, 1u);
  EXPECT_EQ(send("alice").sequence, 3u);
  EXPECT_EQ(send("bob").sequence, 2u);
  EXPECT_EQ(sequences("alice"), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(sequences("bob"), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(outbox().size(), 5u);
  EXPECT_EQ(outbox().size("alice"), 3u);
  EXPECT_EQ(outbox().recipients(), (std::vector<std::string>{"alice", "bob"}));
}

TEST_F(OutboxTest, EnqueueReturnsWhatItStored) {
  const auto result = outbox().enqueue("alice", "offer", R"({"sdp":"v=0"})", 5000ms, 42);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->recipient, "alice");
  EXPECT_EQ(result->sequence, 1u);
  EXPECT_EQ(result->type, "offer");
  EXPECT_EQ(result->payload, R"({"sdp":"v=0"})");
  EXPECT_EQ(result->created_ms, clock_.unix_ms());
  EXPECT_EQ(result->expires_ms, clock_.unix_ms() + 5000);
  EXPECT_EQ(result->client_tag, 42u);
  EXPECT_EQ(outbox().pending("alice", 10, kNoLimit), std::vector<OutboxEntry>{*result});
  EXPECT_EQ(outbox().bytes(), std::string("offer").size() + result->payload.size());
}

TEST_F(OutboxTest, ReadingRemovesNothing) {
  send("alice");
  send("alice");
  EXPECT_EQ(outbox().pending("alice", 10, kNoLimit).size(), 2u);
  EXPECT_EQ(outbox().pending("alice", 10, kNoLimit).size(), 2u);
  EXPECT_EQ(outbox().size(), 2u);
  EXPECT_TRUE(outbox().pending("nobody", 10, kNoLimit).empty());
}

TEST_F(OutboxTest, PendingRespectsCountAndBytes) {
  for (int i = 0; i < 5; ++i) send("alice", std::string(100, 'x'));  // 113 bytes each with the type
  EXPECT_EQ(sequences("alice"), (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(outbox().pending("alice", 3, kNoLimit).size(), 3u);
  EXPECT_EQ(outbox().pending("alice", 10, 226).size(), 2u);
  EXPECT_EQ(outbox().pending("alice", 10, 225).size(), 1u);
  EXPECT_TRUE(outbox().pending("alice", 0, kNoLimit).empty());
  // The first entry comes even when it alone is over the byte budget.
  const auto one = outbox().pending("alice", 10, 1);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].sequence, 1u);
}

TEST_F(OutboxTest, ExpiredEntriesAreNeverReturnedAndPurgeReportsThemOnce) {
  send("alice", "{}", 1000ms, 1);
  send("alice", "{}", 5000ms, 2);
  send("alice", "{}", 1000ms, 3);
  send("bob", "{}", 1000ms, 4);
  clock_.advance(999ms);
  EXPECT_EQ(sequences("alice"), (std::vector<std::uint64_t>{1, 2, 3}));
  clock_.advance(1ms);  // expires_ms reached: expired
  EXPECT_EQ(sequences("alice"), (std::vector<std::uint64_t>{2}));
  EXPECT_TRUE(outbox().pending("bob", 10, kNoLimit).empty());
  EXPECT_EQ(outbox().recipients(), (std::vector<std::string>{"alice"}));
  EXPECT_EQ(outbox().size(), 4u);  // held until purged

  const auto purged = outbox().purge_expired();
  ASSERT_EQ(purged.size(), 3u);
  EXPECT_EQ(purged[0].recipient, "alice");
  EXPECT_EQ(purged[0].client_tag, 1u);
  EXPECT_EQ(purged[1].client_tag, 3u);
  EXPECT_EQ(purged[2].recipient, "bob");
  EXPECT_EQ(purged[2].client_tag, 4u);
  EXPECT_TRUE(outbox().purge_expired().empty());
  EXPECT_EQ(outbox().size(), 1u);
  EXPECT_EQ(outbox().size("bob"), 0u);
  EXPECT_EQ(outbox().bytes(), std::string("ice_candidate{}").size());

  restart();  // purged means gone from the database too
  EXPECT_EQ(sequences("alice"), (std::vector<std::uint64_t>{2}));
  EXPECT_TRUE(outbox().purge_expired().empty());
}

TEST_F(OutboxTest, HoldsATagUntilItsEntryIsAcknowledgedOrItsExpiryReported) {
  send("alice", "{}", 1000ms, 7);
  send("alice", "{}", 5000ms, 8);
  EXPECT_TRUE(outbox().holds_tag(7));
  EXPECT_TRUE(outbox().holds_tag(8));
  EXPECT_FALSE(outbox().holds_tag(9));
  clock_.advance(1000ms);
  EXPECT_TRUE(outbox().holds_tag(7)) << "expired but not yet reported";
  outbox().purge_expired();
  EXPECT_FALSE(outbox().holds_tag(7));
  restart();
  EXPECT_TRUE(outbox().holds_tag(8)) << "loaded again after a restart";
  outbox().acknowledge("alice", 2);
  EXPECT_FALSE(outbox().holds_tag(8));
}

TEST_F(OutboxTest, AcknowledgeRemovesOnlyUpTo) {
  for (int i = 0; i < 5; ++i) send("alice");
  send("bob");
  EXPECT_EQ(outbox().acknowledge("alice", 0), 0u);
  EXPECT_EQ(outbox().acknowledge("alice", 3), 3u);
  EXPECT_EQ(sequences("alice"), (std::vector<std::uint64_t>{4, 5}));
  EXPECT_EQ(outbox().acknowledge("alice", 3), 0u);  // a repeated acknowledgement
  EXPECT_EQ(outbox().acknowledge("nobody", 3), 0u);
  EXPECT_EQ(sequences("bob"), (std::vector<std::uint64_t>{1}));
  EXPECT_EQ(outbox().size(), 3u);

  restart();
  EXPECT_EQ(sequences("alice"), (std::vector<std::uint64_t>{4, 5}));
  EXPECT_EQ(outbox().acknowledge("alice", std::numeric_limits<std::uint64_t>::max()), 2u);
  restart();
  EXPECT_TRUE(sequences("alice").empty());
  EXPECT_EQ(sequences("bob"), (std::vector<std::uint64_t>{1}));
}

TEST_F(OutboxTest, AcknowledgedEntriesAreNotReportedAsExpired) {
  send("alice", "{}", 1000ms);
  send("alice", "{}", 1000ms);
  clock_.advance(2000ms);
  EXPECT_EQ(outbox().acknowledge("alice", 1), 1u);
  const auto purged = outbox().purge_expired();
  ASSERT_EQ(purged.size(), 1u);
  EXPECT_EQ(purged[0].sequence, 2u);
}

TEST_F(OutboxTest, FloorIsTheLowestLiveSequenceOrTheNextOne) {
  EXPECT_EQ(outbox().floor("alice"), 1u);
  send("alice", "{}", 1000ms);  // 1
  send("alice", "{}", 5000ms);  // 2
  send("alice", "{}", 5000ms);  // 3
  EXPECT_EQ(outbox().floor("alice"), 1u);
  clock_.advance(1000ms);  // 1 expired: the floor moves even before a purge
  EXPECT_EQ(outbox().floor("alice"), 2u);
  outbox().acknowledge("alice", 2);
  EXPECT_EQ(outbox().floor("alice"), 3u);
  outbox().acknowledge("alice", 3);
  EXPECT_EQ(outbox().floor("alice"), 4u);  // nothing held: the next sequence
  EXPECT_EQ(send("alice").sequence, 4u);
  EXPECT_EQ(outbox().floor("alice"), 4u);
}

TEST_F(OutboxTest, SequencesNeverRepeatAfterEverythingIsGoneAndARestart) {
  send("alice");
  send("alice");
  outbox().acknowledge("alice", 2);
  send("bob", "{}", 1000ms);
  clock_.advance(1000ms);
  EXPECT_EQ(outbox().purge_expired().size(), 1u);
  send("carol");
  outbox().forget("carol");
  EXPECT_EQ(outbox().size(), 0u);

  restart();
  EXPECT_EQ(outbox().floor("alice"), 3u);
  EXPECT_EQ(send("alice").sequence, 3u);
  EXPECT_EQ(send("bob").sequence, 2u);
  EXPECT_EQ(send("carol").sequence, 2u);
}

TEST_F(OutboxTest, ForgetDropsOnlyThatPeersQueue) {
  send("alice");
  send("alice");
  send("bob");
  outbox().forget("alice");
  outbox().forget("nobody");
  EXPECT_EQ(outbox().size("alice"), 0u);
  EXPECT_EQ(outbox().size(), 1u);
  EXPECT_EQ(outbox().recipients(), (std::vector<std::string>{"bob"}));
  EXPECT_EQ(outbox().floor("alice"), 3u);
  restart();
  EXPECT_EQ(outbox().size(), 1u);
  EXPECT_EQ(outbox().size("alice"), 0u);
}

TEST_F(OutboxTest, PerPeerMessageCapRefusesAndChangesNothing) {
  open({.max_messages_per_peer = 3});
  for (int i = 0; i < 3; ++i) send("alice");
  const auto refused = outbox().enqueue("alice", "ice_candidate", "{}", 0ms, 7);
  EXPECT_EQ(refused.error(), core::Errc::queue_full);
  EXPECT_EQ(outbox().size(), 3u);
  EXPECT_EQ(sequences("alice"), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(outbox().floor("alice"), 1u);
  EXPECT_EQ(send("bob").sequence, 1u);  // other peers are not affected
  outbox().acknowledge("alice", 1);
  EXPECT_EQ(send("alice").sequence, 4u);  // the refusal used no sequence
}

TEST_F(OutboxTest, PerPeerByteCapRefusesAndChangesNothing) {
  open({.max_bytes_per_peer = 300});
  send("alice", std::string(137, 'x'));  // 150 bytes with the type
  send("alice", std::string(137, 'x'));
  EXPECT_EQ(outbox().enqueue("alice", "ice_candidate", "", 0ms, 0).error(), core::Errc::queue_full);
  EXPECT_EQ(outbox().bytes(), 300u);
  EXPECT_EQ(outbox().size(), 2u);
  EXPECT_EQ(send("bob", std::string(137, 'x')).sequence, 1u);
  // A message that could never fit is too large rather than waiting for room.
  EXPECT_EQ(outbox().enqueue("carol", "ice_candidate", std::string(288, 'x'), 0ms, 0).error(),
            core::Errc::too_large);
  EXPECT_EQ(outbox().size(), 3u);
}

TEST_F(OutboxTest, GlobalCapsRefuseAndChangeNothing) {
  open({.max_messages = 3});
  send("alice");
  send("bob");
  send("carol");
  EXPECT_EQ(outbox().enqueue("dave", "ice_candidate", "{}", 0ms, 0).error(), core::Errc::queue_full);
  EXPECT_EQ(outbox().size(), 3u);
  EXPECT_EQ(outbox().size("dave"), 0u);
  EXPECT_EQ(outbox().floor("dave"), 1u);

  open({.max_bytes = 400});  // a restart with a smaller cap keeps what is stored
  EXPECT_EQ(outbox().size(), 3u);
  send("dave", std::string(300, 'x'));  // 45 + 313 = 358 bytes
  EXPECT_EQ(outbox().enqueue("erin", "ice_candidate", std::string(30, 'x'), 0ms, 0).error(),
            core::Errc::queue_full);
  EXPECT_EQ(outbox().size(), 4u);
  EXPECT_EQ(outbox().bytes(), 358u);
}

TEST_F(OutboxTest, ExpiredEntriesMakeRoomAndAreStillReported) {
  open({.max_messages_per_peer = 2});
  send("alice", "{}", 1000ms, 1);
  send("alice", "{}", 5000ms, 2);
  EXPECT_EQ(outbox().enqueue("alice", "ice_candidate", "{}", 0ms, 3).error(), core::Errc::queue_full);
  clock_.advance(1000ms);
  EXPECT_EQ(send("alice", "{}", 0ms, 3).sequence, 3u);
  const auto purged = outbox().purge_expired();
  ASSERT_EQ(purged.size(), 1u);
  EXPECT_EQ(purged[0].client_tag, 1u);
  EXPECT_EQ(sequences("alice"), (std::vector<std::uint64_t>{2, 3}));
}

TEST_F(OutboxTest, SurvivesARestartWithContentsCountersAndExpiry) {
  const std::string binary("{\0\xff}", 4);
  const auto first = send("alice", binary, 10'000ms, std::numeric_limits<std::uint64_t>::max());
  const auto second = send("alice", "{}", 60'000ms, 2);
  send("bob", "", 0ms, 3);
  const auto before = outbox().pending("alice", 10, kNoLimit);
  const auto bytes = outbox().bytes();

  restart();
  EXPECT_EQ(outbox().pending("alice", 10, kNoLimit), before);
  EXPECT_EQ(outbox().pending("alice", 10, kNoLimit)[0].payload, binary);
  EXPECT_EQ(outbox().pending("bob", 10, kNoLimit)[0].payload, "");
  EXPECT_EQ(outbox().size(), 3u);
  EXPECT_EQ(outbox().bytes(), bytes);
  EXPECT_EQ(outbox().recipients(), (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(send("alice").sequence, 3u);
  EXPECT_EQ(send("bob").sequence, 2u);

  clock_.advance(10'000ms);
  EXPECT_EQ(outbox().floor("alice"), second.sequence);
  const auto purged = outbox().purge_expired();
  ASSERT_EQ(purged.size(), 1u);
  EXPECT_EQ(purged[0], first);
}

TEST_F(OutboxTest, EntriesThatExpiredWhileDownAreReportedByTheNextPurge) {
  send("alice", "{}", 1000ms, 1);
  send("alice", "{}", 9000ms, 2);
  outbox_.reset();
  db_.reset();
  clock_.advance(5000ms);  // the daemon was down for five seconds

  open();
  EXPECT_EQ(outbox().size(), 1u);
  EXPECT_EQ(outbox().floor("alice"), 2u);
  const auto purged = outbox().purge_expired();
  ASSERT_EQ(purged.size(), 1u);
  EXPECT_EQ(purged[0].client_tag, 1u);
  EXPECT_TRUE(outbox().purge_expired().empty());

  restart();  // and they were deleted at load
  EXPECT_TRUE(outbox().purge_expired().empty());
  EXPECT_EQ(send("alice").sequence, 3u);
}

TEST_F(OutboxTest, ClampsTtl) {
  open({.default_ttl = 120'000ms, .max_ttl = 600'000ms});
  const auto now = clock_.unix_ms();
  EXPECT_EQ(send("alice", "{}", 0ms).expires_ms, now + 120'000);
  EXPECT_EQ(send("alice", "{}", -5ms).expires_ms, now + 120'000);
  EXPECT_EQ(send("alice", "{}", 1ms).expires_ms, now + 1);
  EXPECT_EQ(send("alice", "{}", 600'000ms).expires_ms, now + 600'000);
  EXPECT_EQ(send("alice", "{}", 3'600'000ms).expires_ms, now + 600'000);

  open({.default_ttl = 900'000ms, .max_ttl = 600'000ms});  // a default above the maximum is cut too
  EXPECT_EQ(send("alice", "{}", 0ms).expires_ms, now + 600'000);
}

TEST_F(OutboxTest, ATypeOverItsLengthLimitIsRefused) {
  EXPECT_EQ(outbox().enqueue("alice", std::string(256, 'a'), "{}", 0ms, 0).error(), core::Errc::too_large);
  EXPECT_EQ(outbox().size(), 0u);
  EXPECT_EQ(outbox().floor("alice"), 1u);
}

TEST_F(OutboxTest, StorageFailuresAreValuesNotExceptions) {
  send("alice");
  send("alice");
  db_->exec("PRAGMA query_only = ON");  // every write now fails
  EXPECT_EQ(outbox().enqueue("alice", "ice_candidate", "{}", 0ms, 0).error(), boost::system::errc::io_error);
  EXPECT_EQ(outbox().size(), 2u);
  EXPECT_EQ(outbox().floor("alice"), 1u);
  EXPECT_EQ(outbox().storage_errors(), 0u);
  EXPECT_EQ(outbox().acknowledge("alice", 1), 1u);  // memory follows; the row is left behind
  EXPECT_EQ(outbox().storage_errors(), 1u);

  db_->exec("PRAGMA query_only = OFF");
  EXPECT_EQ(send("alice").sequence, 3u);
  EXPECT_EQ(outbox().acknowledge("alice", 2), 1u);  // also deletes the row left behind
  restart();
  EXPECT_EQ(sequences("alice"), (std::vector<std::uint64_t>{3}));
}

// The write-through promise: a process killed right after enqueue returned
// loses nothing.
TEST_F(OutboxTest, NothingIsLostWhenTheProcessIsKilled) {
  send("alice");
  outbox_.reset();
  db_.reset();
  const pid_t child = ::fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    store::SqliteDatabase db(dir_.path() / "peerdrop.db");
    Outbox outbox(db, clock_, {});
    for (int i = 0; i < 10; ++i) (void)outbox.enqueue("alice", "ice_candidate", "{}", 0ms, 0);
    outbox.acknowledge("alice", 3);
    ::raise(SIGKILL);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));

  open();
  EXPECT_EQ(sequences("alice"), (std::vector<std::uint64_t>{4, 5, 6, 7, 8, 9, 10, 11}));
  EXPECT_EQ(send("alice").sequence, 12u);
}

}  // namespace
}  // namespace peerdrop::signaling
