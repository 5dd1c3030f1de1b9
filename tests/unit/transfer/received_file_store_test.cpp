#include "transfer/received_file_store.hpp"

#include <gtest/gtest.h>

#include <string>

#include "support/temp_dir.hpp"

namespace peerdrop::transfer {
namespace {

transfer::ReceivedFile file(int n) {
  return transfer::ReceivedFile{.name = "photos/" + std::to_string(n) + ".jpg",
                                .size = static_cast<std::uint64_t>(n) * 1000,
                                .sha256 = std::string(64, static_cast<char>('a' + n % 6)),
                                .from = std::string(52, 'A'),
                                .received_at = 1'764'000'000'000 + n};
}

TEST(ReceivedFileStore, IsEmptyAtFirst) {
  testing::TempDir dir;
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  ReceivedFileStore store(db);
  EXPECT_TRUE(store.recent(200).value().empty());
}

TEST(ReceivedFileStore, ListsTheNewestFirstAndKeepsThemAcrossAReopen) {
  testing::TempDir dir;
  {
    store::SqliteDatabase db(dir.path() / "peerdrop.db");
    ReceivedFileStore store(db);
    for (int n = 1; n <= 3; ++n) store.add(file(n));
  }
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  ReceivedFileStore store(db);
  const auto files = store.recent(200).value();
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0], file(3));
  EXPECT_EQ(files[2], file(1));
  EXPECT_EQ(store.recent(2).value(), (std::vector<transfer::ReceivedFile>{file(3), file(2)}));
}

TEST(ReceivedFileStore, OrdersByArrivalEvenIfTheClockWentBack) {
  testing::TempDir dir;
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  ReceivedFileStore store(db);
  auto late = file(1);
  late.received_at = 2'000'000'000'000;
  store.add(late);
  store.add(file(2));  // an earlier timestamp, but it landed later
  EXPECT_EQ(store.recent(1).value(), std::vector<transfer::ReceivedFile>{file(2)});
}

TEST(ReceivedFileStore, KeepsOnlyTheNewestRows) {
  testing::TempDir dir;
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  ReceivedFileStore store(db);
  db.exec("BEGIN");
  for (int n = 0; n < static_cast<int>(ReceivedFileStore::kMaxKept); ++n) {
    db.prepare("INSERT INTO received_files(name, size, sha256, from_peer, received_at) VALUES('x', 0, '', '', 0)").value()
        .step();
  }
  db.exec("COMMIT");
  store.add(file(1));
  store.add(file(2));
  auto count = db.prepare("SELECT COUNT(*) FROM received_files").value();
  ASSERT_TRUE(count.step().value());
  EXPECT_EQ(count.column_int(0), static_cast<std::int64_t>(ReceivedFileStore::kMaxKept));
  EXPECT_EQ(store.recent(2).value(), (std::vector<transfer::ReceivedFile>{file(2), file(1)}));
}

TEST(ReceivedFileStore, KeepsLargeSizesAndAnyName) {
  testing::TempDir dir;
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  ReceivedFileStore store(db);
  auto big = file(1);
  big.size = (std::uint64_t{1} << 53) - 1;
  big.name = "Zo\xc3\xab's \"folder\"/caf\xc3\xa9 (1).txt";
  store.add(big);
  EXPECT_EQ(store.recent(1).value(), std::vector<transfer::ReceivedFile>{big});
}

TEST(ReceivedFileStore, FindsAFileByTheSendersTransferIdAndIndex) {
  testing::TempDir dir;
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  ReceivedFileStore store(db);
  auto a = file(1);
  a.transfer_id = "tid_0123456789abcdefghij";
  a.index = 3;
  auto b = file(2);
  b.transfer_id = a.transfer_id;
  b.index = 4;
  store.add(a);
  store.add(b);
  EXPECT_EQ(store.find(a.from, a.transfer_id, 3).value(), a);
  EXPECT_EQ(store.find(a.from, a.transfer_id, 4).value(), b);
  EXPECT_EQ(store.recent(2).value(), (std::vector<transfer::ReceivedFile>{b, a}));
  EXPECT_FALSE(store.find(a.from, a.transfer_id, 5).value());
  EXPECT_FALSE(store.find(std::string(52, 'B'), a.transfer_id, 3).value());  // another peer's transfer
  EXPECT_FALSE(store.find(a.from, "tid_another_one_000000000", 3).value());
  EXPECT_FALSE(store.find(a.from, "", 0).value());  // rows without a transfer id are never found
}

TEST(ReceivedFileStore, AddsTheTransferColumnsToATableOfAnOlderVersion) {
  testing::TempDir dir;
  {
    store::SqliteDatabase db(dir.path() / "peerdrop.db");
    db.exec(
        "CREATE TABLE received_files(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, size INTEGER NOT NULL, "
        "sha256 TEXT NOT NULL, from_peer TEXT NOT NULL, received_at INTEGER NOT NULL)");
    db.exec(
        "INSERT INTO received_files(name, size, sha256, from_peer, received_at) VALUES('old.txt', 5, 'ab', 'P', 7)");
  }
  store::SqliteDatabase db(dir.path() / "peerdrop.db");
  ReceivedFileStore store(db);
  auto added = file(1);
  added.transfer_id = "tid_0123456789abcdefghij";
  store.add(added);
  const auto files = store.recent(10).value();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0], added);
  EXPECT_EQ(files[1],
            (transfer::ReceivedFile{.name = "old.txt", .size = 5, .sha256 = "ab", .from = "P", .received_at = 7}));
  EXPECT_EQ(store.find(added.from, added.transfer_id, 0).value(), added);
  ReceivedFileStore again(db);  // opening it once more changes nothing
  EXPECT_EQ(again.recent(10).value(), files);
}

}  // namespace
}  // namespace peerdrop::store
