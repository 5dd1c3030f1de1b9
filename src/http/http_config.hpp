#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace peerdrop::http {

struct HttpConfig {
  std::string bind = "0.0.0.0";
  std::uint16_t port = 3001;
  std::size_t header_limit = 8 * 1024;
  std::size_t body_limit = 64 * 1024;
  std::chrono::milliseconds request_timeout{10'000};  // a whole request, or an idle keep-alive wait
  std::chrono::milliseconds write_timeout{10'000};
  std::size_t max_connections = 256;
  std::size_t reserved_local_connections = 32;  // of max_connections, kept for this machine's own UI
  std::size_t max_connections_per_client = 16;
  double rate_per_second = 20;  // non-local clients, per address
  double rate_burst = 60;
  double peer_rate_per_second = 500;  // GET /api/health (other daemons' scans and probes), per address
  double peer_rate_burst = 1000;
};

}  // namespace peerdrop::http
