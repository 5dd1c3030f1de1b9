#include "cli/progress_meter.hpp"

#include <gtest/gtest.h>

namespace peerdrop::cli {
namespace {

using namespace std::chrono_literals;
const ProgressMeter::TimePoint kStart{std::chrono::hours(1)};

TEST(ProgressMeter, HasNoSpeedUntilItSawEnough) {
  ProgressMeter meter;
  EXPECT_FALSE(meter.bytes_per_second());
  meter.add(kStart, 0);
  EXPECT_FALSE(meter.bytes_per_second());
  meter.add(kStart + 200ms, 1000);
  EXPECT_FALSE(meter.bytes_per_second()) << "200 ms say little";
  meter.add(kStart + 500ms, 2000);
  ASSERT_TRUE(meter.bytes_per_second());
  EXPECT_DOUBLE_EQ(*meter.bytes_per_second(), 4000.0);
}

TEST(ProgressMeter, MeasuresOverTheLastFewSeconds) {
  ProgressMeter meter;
  // 10 s at 1 MB/s, then 3 s at 100 kB/s: the speed is the recent one.
  std::uint64_t done = 0;
  for (int i = 0; i <= 50; ++i) meter.add(kStart + i * 200ms, done += 200'000);
  EXPECT_NEAR(*meter.bytes_per_second(), 1'000'000.0, 1.0);
  for (int i = 1; i <= 15; ++i) meter.add(kStart + 10s + i * 200ms, done += 20'000);
  EXPECT_NEAR(*meter.bytes_per_second(), 100'000.0, 1.0);
}

TEST(ProgressMeter, StartsAgainWhenTheCountGoesBack) {
  ProgressMeter meter;
  meter.add(kStart, 0);
  meter.add(kStart + 1s, 5000);
  meter.add(kStart + 2s, 1000);  // a file is sent again
  EXPECT_FALSE(meter.bytes_per_second());
  meter.add(kStart + 3s, 3000);
  EXPECT_DOUBLE_EQ(*meter.bytes_per_second(), 2000.0);
}

TEST(ProgressMeter, AStallShowsAsNoSpeed) {
  ProgressMeter meter;
  meter.add(kStart, 0);
  meter.add(kStart + 1s, 5000);
  for (int i = 1; i <= 20; ++i) meter.add(kStart + 1s + i * 200ms, 5000);
  EXPECT_DOUBLE_EQ(*meter.bytes_per_second(), 0.0);
}

}  // namespace
}  // namespace peerdrop::cli
