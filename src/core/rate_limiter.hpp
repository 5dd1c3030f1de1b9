#pragma once

#include <chrono>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"

namespace peerdrop::core {

// A token bucket per client address: `rate` requests a second with bursts
// of `burst`. The table is bounded: past `max_clients`, full buckets are
// dropped first (they carry no state worth keeping).
class RateLimiter {
 public:
  struct Limits {
    double rate = 20;
    double burst = 60;
    std::size_t max_clients = 4096;
  };

  RateLimiter(const core::Clock& clock, Limits limits) : clock_(clock), limits_(limits) {}

  bool allow(const std::string& client);
  // Seconds until `client` has a token again (for Retry-After).
  int retry_after_seconds(const std::string& client) const;
  std::size_t tracked_clients() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens;
    core::Clock::TimePoint updated;
  };
  void refill(Bucket& bucket, core::Clock::TimePoint now) const;
  void evict(core::Clock::TimePoint now);

  const core::Clock& clock_;
  Limits limits_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace peerdrop::core
