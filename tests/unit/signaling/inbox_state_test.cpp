#include "signaling/inbox_state.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "support/temp_dir.hpp"

namespace peerdrop::signaling {
namespace {

const std::string kAlice = "ALICEALICEALICEALICEALICEALICEALICEALICEALICEALICEAL";
const std::string kBob = "BOBBOBBOBBOBBOBBOBBOBBOBBOBBOBBOBBOBBOBBOBBOBBOBBOBB";

class InboxStateTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  store::SqliteDatabase db_{dir_.path() / "peerdrop.db"};
  InboxState inbox_{db_};
};

TEST_F(InboxStateTest, DeliversInOrderFromTheFirstSequence) {
  EXPECT_EQ(inbox_.last_delivered(kAlice), 0u);
  for (std::uint64_t sequence = 1; sequence <= 5; ++sequence) {
    EXPECT_EQ(inbox_.judge(kAlice, sequence, 1), InboxVerdict::deliver) << sequence;
    EXPECT_TRUE(inbox_.delivered(kAlice, sequence));
    EXPECT_EQ(inbox_.last_delivered(kAlice), sequence);
  }
}

TEST_F(InboxStateTest, ADeliveredSequenceIsADuplicate) {
  inbox_.delivered(kAlice, 1);
  inbox_.delivered(kAlice, 2);
  EXPECT_EQ(inbox_.judge(kAlice, 2, 1), InboxVerdict::duplicate);
  EXPECT_EQ(inbox_.judge(kAlice, 1, 1), InboxVerdict::duplicate);
  // Even when the floor says everything before it is gone.
  EXPECT_EQ(inbox_.judge(kAlice, 2, 2), InboxVerdict::duplicate);
  EXPECT_EQ(inbox_.judge(kAlice, 3, 1), InboxVerdict::deliver);
}

TEST_F(InboxStateTest, HoldsAGapWhileEarlierEnvelopesAreLive) {
  inbox_.delivered(kAlice, 2);
  EXPECT_EQ(inbox_.judge(kAlice, 4, 1), InboxVerdict::gap);
  EXPECT_EQ(inbox_.judge(kAlice, 4, 3), InboxVerdict::gap);  // 3 is still held by the sender
  EXPECT_EQ(inbox_.judge(kAlice, 9, 5), InboxVerdict::gap);  // 5..8 are: wait for 5
  // A first contact that does not start at 1, with 1 still live.
  EXPECT_EQ(inbox_.judge(kBob, 2, 1), InboxVerdict::gap);
  EXPECT_EQ(inbox_.last_delivered(kAlice), 2u);
}

TEST_F(InboxStateTest, SkipsAGapWhenTheFloorSaysEarlierOnesAreGone) {
  inbox_.delivered(kAlice, 2);
  EXPECT_EQ(inbox_.judge(kAlice, 5, 5), InboxVerdict::deliver);
  inbox_.delivered(kAlice, 5);
  EXPECT_EQ(inbox_.judge(kAlice, 3, 3), InboxVerdict::duplicate);  // skipped ones stay skipped
  EXPECT_EQ(inbox_.judge(kAlice, 6, 6), InboxVerdict::deliver);
  // A first contact after the sender's earlier envelopes expired.
  EXPECT_EQ(inbox_.judge(kBob, 7, 7), InboxVerdict::deliver);
  EXPECT_EQ(inbox_.judge(kBob, 7, 6), InboxVerdict::gap);
}

TEST_F(InboxStateTest, KeepsSendersApartAndNeverMovesBackwards) {
  inbox_.delivered(kAlice, 5);
  inbox_.delivered(kAlice, 3);
  EXPECT_EQ(inbox_.last_delivered(kAlice), 5u);
  EXPECT_EQ(inbox_.last_delivered(kBob), 0u);
  EXPECT_EQ(inbox_.judge(kBob, 1, 1), InboxVerdict::deliver);
  EXPECT_EQ(inbox_.judge(kAlice, 1, 1), InboxVerdict::duplicate);
}

TEST_F(InboxStateTest, HandlesTheLargestSequences) {
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  inbox_.delivered(kAlice, kMax - 1);
  EXPECT_EQ(inbox_.judge(kAlice, kMax, 1), InboxVerdict::deliver);
  inbox_.delivered(kAlice, kMax);
  EXPECT_EQ(inbox_.judge(kAlice, kMax, kMax), InboxVerdict::duplicate);
  EXPECT_EQ(inbox_.judge(kAlice, 1, 1), InboxVerdict::duplicate);
}

TEST(InboxState, RemembersWhatWasDeliveredAcrossAReopen) {
  testing::TempDir dir;
  constexpr auto kHuge = std::numeric_limits<std::uint64_t>::max() - 7;  // above INT64_MAX in SQLite
  {
    store::SqliteDatabase db(dir.path() / "peerdrop.db");
    InboxState inbox(db);
    inbox.delivered(kAlice, 1);
    inbox.delivered(kAlice, 2);
    inbox.delivered(kAlice, 4);
    inbox.delivered(kBob, kHuge);
  }
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  InboxState inbox(db);
  EXPECT_EQ(inbox.last_delivered(kAlice), 4u);
  EXPECT_EQ(inbox.last_delivered(kBob), kHuge);
  EXPECT_EQ(inbox.judge(kAlice, 4, 1), InboxVerdict::duplicate);
  EXPECT_EQ(inbox.judge(kAlice, 5, 1), InboxVerdict::deliver);
  // One row per sender: the table is what the protocol documents.
  auto rows = db.prepare("SELECT COUNT(*) FROM inbox_state").value();
  ASSERT_TRUE(rows.step().value());
  EXPECT_EQ(rows.column_int(0), 2);
}

TEST(InboxState, SharesTheDatabaseWithOtherStores) {
  testing::TempDir dir;
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  db.exec("CREATE TABLE other(x INTEGER); INSERT INTO other VALUES(1);");
  InboxState first(db);
  first.delivered(kAlice, 3);
  InboxState second(db);  // creating the table again is harmless
  EXPECT_EQ(second.last_delivered(kAlice), 3u);
}

}  // namespace
}  // namespace peerdrop::signaling
