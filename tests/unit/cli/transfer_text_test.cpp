#include "cli/transfer_text.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "cli/transfer_record.hpp"
#include "support/transfer_json.hpp"

namespace peerdrop::cli {
namespace {

using namespace std::chrono_literals;
constexpr std::uint64_t kMiB = 1024 * 1024;

TEST(TransferText, SizesInBinaryUnits) {
  EXPECT_EQ(size_text(0), "0 B");
  EXPECT_EQ(size_text(1023), "1023 B");
  EXPECT_EQ(size_text(1024), "1.0 KiB");
  EXPECT_EQ(size_text(1536), "1.5 KiB");
  EXPECT_EQ(size_text(50 * kMiB), "50.0 MiB");
  EXPECT_EQ(size_text(kMiB - 1), "1.0 MiB") << "never 1024.0 KiB";
  EXPECT_EQ(size_text(1288490189), "1.2 GiB");
  EXPECT_EQ(size_text(std::numeric_limits<std::uint64_t>::max()), "16384.0 PiB");
}

TEST(TransferText, SpeedsAndTimes) {
  EXPECT_EQ(rate_text(41.7 * kMiB), "41.7 MiB/s");
  EXPECT_EQ(rate_text(0), "0 B/s");
  EXPECT_EQ(rate_text(-3), "0 B/s");
  EXPECT_EQ(rate_text(std::numeric_limits<double>::infinity()), "0 B/s");
  EXPECT_EQ(duration_text(1200ms), "1.2 s");
  EXPECT_EQ(duration_text(0ms), "0.0 s");
  EXPECT_EQ(duration_text(59'940ms), "59.9 s");
  EXPECT_EQ(duration_text(125'000ms), "2 min 5 s");
  EXPECT_EQ(duration_text(3'720'000ms), "1 h 2 min");
  EXPECT_EQ(eta_text(7s), "0:07");
  EXPECT_EQ(eta_text(725s), "12:05");
  EXPECT_EQ(eta_text(3723s), "1:02:03");
  EXPECT_EQ(eta_text(-5s), "0:00");
}

TEST(TransferText, TheProgressLineHasPercentBytesSpeedAndEta) {
  EXPECT_EQ(progress_line(21 * kMiB, 50 * kMiB, std::nullopt), "[####      ]  42%  21.0 MiB of 50.0 MiB");
  // 29 MiB left at 12 MiB/s: 2.4 s, shown as the next whole second.
  EXPECT_EQ(progress_line(21 * kMiB, 50 * kMiB, 12.0 * kMiB),
            "[####      ]  42%  21.0 MiB of 50.0 MiB  12.0 MiB/s  ETA 0:03");
  EXPECT_EQ(progress_line(0, 50 * kMiB, 0.0), "[          ]   0%  0 B of 50.0 MiB  0 B/s") << "no ETA without speed";
  EXPECT_EQ(progress_line(50 * kMiB - 1, 50 * kMiB, 1.0 * kMiB),
            "[######### ]  99%  50.0 MiB of 50.0 MiB  1.0 MiB/s  ETA 0:01")
      << "100% only once it is all there";
  EXPECT_EQ(progress_line(50 * kMiB, 50 * kMiB, 1.0 * kMiB),
            "[##########] 100%  50.0 MiB of 50.0 MiB  1.0 MiB/s  ETA 0:00");
  EXPECT_EQ(progress_line(0, 0, std::nullopt), "[##########] 100%  0 B of 0 B");
  EXPECT_EQ(progress_line(0, 1024ull * 1024 * kMiB, 1.0), "[          ]   0%  0 B of 1.0 TiB  1 B/s")
      << "no ETA of years";
  // The widest line fits a terminal of 80 columns: 1023.9 GiB of 1023.9 GiB at 1023.9 MiB/s, 99 h to go.
  const std::uint64_t big = 1023 * kMiB * 1024 + 900 * kMiB;
  const auto widest = progress_line(big / 2, big, big / 2 / (99.9 * 3600));
  EXPECT_TRUE(widest.ends_with("ETA 99:54:00")) << widest;
  EXPECT_LT(widest.size(), 72u) << widest;
}

TEST(TransferText, NamesTransfersAndPeers) {
  auto transfer = *parse_transfer_record(testing::transfer_json());
  EXPECT_EQ(short_tid(transfer.tid), "K3F9XZ2A");
  EXPECT_EQ(tid_argument(transfer.tid), "K3F9XZ2A");
  EXPECT_EQ(tid_argument("-bcdefghijklmnopqrstuv"), "-- -bcdefgh");
  EXPECT_EQ(peer_text(transfer), "bob (BOBBBBB)");
  EXPECT_EQ(peer_word(transfer), "bob");
  transfer.peer_name = "evil\x1b[2J";
  EXPECT_EQ(peer_word(transfer), "evil\xEF\xBF\xBD[2J") << "a name cannot clear the screen";
  transfer.peer_name.clear();
  EXPECT_EQ(peer_text(transfer), "BOBBBBB…");
  EXPECT_EQ(files_text(1), "1 file");
  EXPECT_EQ(files_text(3), "3 files");
}

}  // namespace
}  // namespace peerdrop::cli
