#include "store/received_file_store.hpp"

#include <gtest/gtest.h>

#include <string>

#include "support/temp_dir.hpp"

namespace peerdrop::store {
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
  SqliteDatabase db(dir.path() / "peerdrop.db");
  ReceivedFileStore store(db);
  EXPECT_TRUE(store.recent(200).empty());
}

TEST(ReceivedFileStore, ListsTheNewestFirstAndKeepsThemAcrossAReopen) {
  testing::TempDir dir;
  {
    SqliteDatabase db(dir.path() / "peerdrop.db");
    ReceivedFileStore store(db);
    for (int n = 1; n <= 3; ++n) store.add(file(n));
  }
  SqliteDatabase db(dir.path() / "peerdrop.db");
  ReceivedFileStore store(db);
  const auto files = store.recent(200);
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0], file(3));
  EXPECT_EQ(files[2], file(1));
  EXPECT_EQ(store.recent(2), (std::vector<transfer::ReceivedFile>{file(3), file(2)}));
}

TEST(ReceivedFileStore, OrdersByArrivalEvenIfTheClockWentBack) {
  testing::TempDir dir;
  SqliteDatabase db(dir.path() / "peerdrop.db");
  ReceivedFileStore store(db);
  auto late = file(1);
  late.received_at = 2'000'000'000'000;
  store.add(late);
  store.add(file(2));  // an earlier timestamp, but it landed later
  EXPECT_EQ(store.recent(1), std::vector<transfer::ReceivedFile>{file(2)});
}

TEST(ReceivedFileStore, KeepsOnlyTheNewestRows) {
  testing::TempDir dir;
  SqliteDatabase db(dir.path() / "peerdrop.db");
  ReceivedFileStore store(db);
  db.exec("BEGIN");
  for (int n = 0; n < static_cast<int>(ReceivedFileStore::kMaxKept); ++n) {
    db.prepare("INSERT INTO received_files(name, size, sha256, from_peer, received_at) VALUES('x', 0, '', '', 0)")
        .step();
  }
  db.exec("COMMIT");
  store.add(file(1));
  store.add(file(2));
  auto count = db.prepare("SELECT COUNT(*) FROM received_files");
  ASSERT_TRUE(count.step());
  EXPECT_EQ(count.column_int(0), static_cast<std::int64_t>(ReceivedFileStore::kMaxKept));
  EXPECT_EQ(store.recent(2), (std::vector<transfer::ReceivedFile>{file(2), file(1)}));
}

TEST(ReceivedFileStore, KeepsLargeSizesAndAnyName) {
  testing::TempDir dir;
  SqliteDatabase db(dir.path() / "peerdrop.db");
  ReceivedFileStore store(db);
  auto big = file(1);
  big.size = (std::uint64_t{1} << 53) - 1;
  big.name = "Zo\xc3\xab's \"folder\"/caf\xc3\xa9 (1).txt";
  store.add(big);
  EXPECT_EQ(store.recent(1), std::vector<transfer::ReceivedFile>{big});
}

}  // namespace
}  // namespace peerdrop::store
