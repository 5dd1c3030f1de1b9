#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <string>
#include <string_view>

#include "core/open_streams.hpp"
#include "discovery/announcement.hpp"
#include "discovery/announcement_signer.hpp"

namespace peerdrop::discovery {

struct HealthAnswer {
  Announcement announcement;  // verified; its key gives the peer id
  std::string ip;             // the address that answered
  bool relay = false;         // its relay runs ("relay":{"state":"running"}, or the announcement's flag)
};

// Asks `GET /api/health` of a possible peer and verifies that the answer is
// a PeerDrop daemon (a signed packet whose key is the id it claims). What it
// learns is a candidate: a daemon-channel handshake proves the address.
class HealthClient {
 public:
  explicit HealthClient(boost::asio::any_io_executor executor);

  boost::asio::awaitable<boost::system::result<HealthAnswer>> probe(
      boost::asio::ip::tcp::endpoint endpoint, std::chrono::milliseconds connect_timeout,
      std::chrono::milliseconds total_timeout);
  // Ends every probe under way (their answer is operation_aborted) and every later one.
  void stop() { streams_.close_all(); }

  // Checks a health answer's JSON body (exposed for tests and the fuzzer).
  // `relay`, if given, is set to whether it runs a relay: its "relay"
  // object's "state" is "running", or the signed announcement carries
  // Announcement::kFlagRelay.
  static boost::system::result<Announcement> parse_health_body(std::string_view body, bool* relay = nullptr);

 private:
  boost::asio::any_io_executor executor_;
  core::OpenStreams<boost::beast::tcp_stream> streams_;
};

}  // namespace peerdrop::discovery
