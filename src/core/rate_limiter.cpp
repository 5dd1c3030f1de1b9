#include "core/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace peerdrop::core {

void RateLimiter::refill(Bucket& bucket, core::Clock::TimePoint now) const {
  const std::chrono::duration<double> elapsed = now - bucket.updated;
  bucket.tokens = std::min(limits_.burst, bucket.tokens + elapsed.count() * limits_.rate);
  bucket.updated = now;
}

void RateLimiter::evict(core::Clock::TimePoint now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    refill(it->second, now);
    it = it->second.tokens >= limits_.burst ? buckets_.erase(it) : std::next(it);
  }
  // Still full of busy clients: forget some rather than grow without bound.
  while (buckets_.size() >= limits_.max_clients) buckets_.erase(buckets_.begin());
}

bool RateLimiter::allow(const std::string& client) {
  const auto now = clock_.now();
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= limits_.max_clients) evict(now);
    it = buckets_.emplace(client, Bucket{limits_.burst, now}).first;
  }
  refill(it->second, now);
  if (it->second.tokens < 1) return false;
  it->second.tokens -= 1;
  return true;
}

int RateLimiter::retry_after_seconds(const std::string& client) const {
  const auto it = buckets_.find(client);
  if (it == buckets_.end() || it->second.tokens >= 1) return 0;
  return std::max(1, static_cast<int>(std::ceil((1 - it->second.tokens) / limits_.rate)));
}

}  // namespace peerdrop::core
