#include "lane/lane_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "store/sqlite_database.hpp"
#include "support/temp_dir.hpp"

namespace peerdrop::lane {
namespace {

const std::string kAlice(52, 'A');
const std::string kBob(52, 'B');

LaneTransfer outgoing(std::string tid, LaneState state = LaneState::accepted, std::int64_t updated_at = 1000) {
  return LaneTransfer{.direction = Direction::outgoing,
                      .peer = kBob,
                      .tid = std::move(tid),
                      .files = {LaneFile{.path = "photos/a.jpg", .size = 10, .source = "/home/a/photos/a.jpg",
                                         .mtime_ns = 1'700'000'000'123'456'789},
                                LaneFile{.path = "notes.txt", .size = (1ull << 53) - 1, .source = "/spool/t/1",
                                         .mtime_ns = 0, .from_page = true}},
                      .state = state,
                      .code = {},
                      .reason = {},
                      .answered_by = {},
                      .created_at = updated_at,
                      .expires_at = updated_at + 660'000,
                      .updated_at = updated_at};
}

LaneTransfer incoming(std::string tid, LaneState state = LaneState::offered, std::int64_t updated_at = 1000) {
  return LaneTransfer{.direction = Direction::incoming,
                      .peer = kAlice,
                      .tid = std::move(tid),
                      .files = {LaneFile{.path = "é/b.bin", .size = 0}},
                      .state = state,
                      .code = "declined",
                      .reason = "the receiver declined",
                      .answered_by = "tab",
                      .created_at = updated_at - 5,
                      .expires_at = updated_at + 600'000,
                      .updated_at = updated_at};
}

void expect_same(const LaneTransfer& a, const LaneTransfer& b) {
  EXPECT_EQ(a.direction, b.direction);
  EXPECT_EQ(a.peer, b.peer);
  EXPECT_EQ(a.tid, b.tid);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.code, b.code);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.answered_by, b.answered_by);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.expires_at, b.expires_at);
  EXPECT_EQ(a.updated_at, b.updated_at);
  ASSERT_EQ(a.files.size(), b.files.size());
  for (std::size_t i = 0; i < a.files.size(); ++i) {
    EXPECT_EQ(a.files[i].path, b.files[i].path);
    EXPECT_EQ(a.files[i].size, b.files[i].size);
    EXPECT_EQ(a.files[i].source, b.files[i].source);
    EXPECT_EQ(a.files[i].mtime_ns, b.files[i].mtime_ns);
    EXPECT_EQ(a.files[i].from_page, b.files[i].from_page);
  }
}

std::vector<std::string> tids(const std::vector<LaneTransfer>& transfers) {
  std::vector<std::string> out;
  for (const auto& t : transfers) out.push_back(t.tid);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(LaneStore, KeepsTransfersOfBothDirectionsAcrossAReopen) {
  testing::TempDir dir;
  const auto out = outgoing("out_0123456789abcdefghij");
  const auto in = incoming("in_0123456789abcdefghijk", LaneState::declined, 2000);
  {
    store::SqliteDatabase db(dir.path() / "peerdrop.db");
    LaneStore store(db, 10);
    ASSERT_FALSE(store.save(out));
    ASSERT_FALSE(store.save(in));
  }
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  LaneStore store(db, 10);
  const auto loaded = store.load_all();
  ASSERT_TRUE(loaded);
  ASSERT_EQ(loaded->size(), 2u);
  // Ordered by creation.
  expect_same((*loaded)[0], out);
  expect_same((*loaded)[1], in);
}

TEST(LaneStore, ASaveReplacesTheRow) {
  testing::TempDir dir;
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  LaneStore store(db, 10);
  auto t = outgoing("out_0123456789abcdefghij", LaneState::offered);
  ASSERT_FALSE(store.save(t));
  t.state = LaneState::done;
  t.updated_at = 5000;
  ASSERT_FALSE(store.save(t));
  const auto loaded = store.load_all().value();
  ASSERT_EQ(loaded.size(), 1u);
  expect_same(loaded[0], t);
}

TEST(LaneStore, TheSameTidInBothDirectionsOrFromTwoPeersIsTwoRows) {
  testing::TempDir dir;
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  LaneStore store(db, 10);
  const std::string tid = "same_0123456789abcdefghi";
  auto a = incoming(tid);
  auto b = incoming(tid);
  b.peer = kBob;
  ASSERT_FALSE(store.save(outgoing(tid)));
  ASSERT_FALSE(store.save(a));
  ASSERT_FALSE(store.save(b));
  EXPECT_EQ(store.load_all().value().size(), 3u);
}

TEST(LaneStore, KeepsOnlyTheNewestFinishedTransfersAndEveryUnfinishedOne) {
  testing::TempDir dir;
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  LaneStore store(db, 3);
  ASSERT_FALSE(store.save(outgoing("open_out_0123456789abcde", LaneState::accepted, 1)));
  ASSERT_FALSE(store.save(incoming("open_in_0123456789abcdef", LaneState::offered, 2)));
  const LaneState finals[] = {LaneState::done, LaneState::declined, LaneState::expired, LaneState::cancelled,
                              LaneState::failed};
  for (int i = 0; i < 5; ++i) {
    auto t = i % 2 ? incoming("fin" + std::to_string(i) + "_0123456789abcdefghi", finals[i], 100 + i)
                   : outgoing("fin" + std::to_string(i) + "_0123456789abcdefghi", finals[i], 100 + i);
    ASSERT_FALSE(store.save(t));
  }
  EXPECT_EQ(tids(store.load_all().value()),
            (std::vector<std::string>{"fin2_0123456789abcdefghi", "fin3_0123456789abcdefghi",
                                      "fin4_0123456789abcdefghi", "open_in_0123456789abcdef",
                                      "open_out_0123456789abcde"}));
}

TEST(LaneStore, SkipsARowThatDoesNotReadBack) {
  testing::TempDir dir;
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  LaneStore store(db, 10);
  ASSERT_FALSE(store.save(outgoing("good_0123456789abcdefghi")));
  ASSERT_FALSE(store.save(outgoing("badfiles_0123456789abcde")));
  ASSERT_FALSE(store.save(outgoing("badstate_0123456789abcde")));
  ASSERT_FALSE(store.save(outgoing("badsize_0123456789abcdef")));
  ASSERT_FALSE(store.save(outgoing("notarray_0123456789abcde")));
  ASSERT_FALSE(db.exec("UPDATE lane_transfers SET files = '[{\"path\":' WHERE tid = 'badfiles_0123456789abcde'"));
  ASSERT_FALSE(db.exec("UPDATE lane_transfers SET state = 'flying' WHERE tid = 'badstate_0123456789abcde'"));
  ASSERT_FALSE(db.exec("UPDATE lane_transfers SET files = '[{\"path\":\"a\",\"size\":-1}]' "
                       "WHERE tid = 'badsize_0123456789abcdef'"));
  ASSERT_FALSE(db.exec("UPDATE lane_transfers SET files = '{\"path\":\"a\"}' WHERE tid = 'notarray_0123456789abcde'"));
  const auto loaded = store.load_all();
  ASSERT_TRUE(loaded);
  EXPECT_EQ(tids(*loaded), std::vector<std::string>{"good_0123456789abcdefghi"});
}

}  // namespace
}  // namespace peerdrop::lane
