#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <vector>

#include "discovery/health_client.hpp"

namespace peerdrop::discovery {

// Probes many addresses for PeerDrop daemons with a bounded number of probes
// in flight, and reports each daemon found as soon as it answers.
class SubnetScanner {
 public:
  struct Options {
    std::size_t concurrency = 128;
    std::chrono::milliseconds connect_timeout{250};
    std::chrono::milliseconds total_timeout{1500};
  };
  struct Report {
    std::size_t probed = 0;
    std::size_t found = 0;
  };
  using FoundHandler = std::function<void(const HealthAnswer&)>;

  SubnetScanner(boost::asio::any_io_executor executor, HealthClient& client);

  // Probes `targets` in order (put the likeliest first); returns when all are done.
  boost::asio::awaitable<Report> scan(std::vector<boost::asio::ip::tcp::endpoint> targets, Options options,
                                      FoundHandler on_found);
  // Stops handing out targets; probes in flight end by their own timeouts.
  void stop() { stopped_ = true; }

 private:
  boost::asio::any_io_executor executor_;
  HealthClient& client_;
  bool stopped_ = false;
};

}  // namespace peerdrop::discovery
