#include "core/rate_limiter.hpp"

#include <gtest/gtest.h>

#include "support/fake_clock.hpp"

namespace peerdrop::core {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiter, AllowsABurstThenTheSteadyRate) {
  testing::FakeClock clock;
  RateLimiter limiter(clock, {.rate = 10, .burst = 5});
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.allow("198.51.100.3")) << i;
  EXPECT_FALSE(limiter.allow("198.51.100.3"));
  EXPECT_EQ(limiter.retry_after_seconds("198.51.100.3"), 1);
  clock.advance(100ms);  // one token at 10/s
  EXPECT_TRUE(limiter.allow("198.51.100.3"));
  EXPECT_FALSE(limiter.allow("198.51.100.3"));
}

TEST(RateLimiter, CountsEachClientSeparately) {
  testing::FakeClock clock;
  RateLimiter limiter(clock, {.rate = 1, .burst = 1});
  EXPECT_TRUE(limiter.allow("198.51.100.3"));
  EXPECT_FALSE(limiter.allow("198.51.100.3"));
  EXPECT_TRUE(limiter.allow("198.51.100.4"));
}

TEST(RateLimiter, StaysBoundedUnderManyClients) {
  testing::FakeClock clock;
  RateLimiter limiter(clock, {.rate = 1, .burst = 2, .max_clients = 100});
  for (int i = 0; i < 10'000; ++i) {
    limiter.allow("203.0.113." + std::to_string(i % 256) + ":" + std::to_string(i));
    limiter.allow("203.0.113." + std::to_string(i % 256) + ":" + std::to_string(i));
  }
  EXPECT_LE(limiter.tracked_clients(), 100u);
}

}  // namespace
}  // namespace peerdrop::http
