#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <cstdint>
#include <vector>

#include "core/open_streams.hpp"
#include "discovery/announcement_signer.hpp"

namespace peerdrop::signaling {

// What we tell the other daemon in one exchange (headers of POST /api/signal).
struct ExchangeRequest {
  std::vector<std::uint8_t> body;  // framed envelopes for the other daemon (may be empty)
  std::uint64_t ack = 0;           // the last sequence we delivered from it
  bool poll = false;               // hold the answer until something is queued for us
  bool cannot_reach_you = false;   // our own pushes to it fail: it should poll us
  std::chrono::milliseconds timeout{3'000};
};

// What it answered.
struct ExchangeResponse {
  std::vector<std::uint8_t> body;  // framed envelopes for us
  std::uint64_t ack = 0;           // the last sequence it delivered from us
  bool cannot_reach_you = false;   // its pushes to us fail: we should poll it
};

// The client side of POST /api/signal (docs/protocol.md, "Signal exchange"):
// one request with our envelopes and acknowledgement, one answer with theirs.
class SignalClient {
 public:
  SignalClient(boost::asio::any_io_executor executor, discovery::AnnouncementSigner& signer,
               std::size_t max_response_bytes);

  boost::asio::awaitable<boost::system::result<ExchangeResponse>> exchange(boost::asio::ip::tcp::endpoint endpoint,
                                                                           const ExchangeRequest& request);
  // Ends every exchange under way (operation_aborted) and every later one.
  void stop() { streams_.close_all(); }

 private:
  boost::asio::any_io_executor executor_;
  discovery::AnnouncementSigner& signer_;
  std::size_t max_response_bytes_;
  core::OpenStreams<boost::beast::tcp_stream> streams_;
};

}  // namespace peerdrop::signaling
