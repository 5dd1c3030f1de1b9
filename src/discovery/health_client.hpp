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
  bool waiting = false;       // it holds signaling messages for us
  bool relay = false;         // its relay runs ("relay":{"state":"running"}, or the announcement's flag)
};

// Asks `GET /api/health` of a possible peer, introducing this daemon with a
// signed probe packet, and verifies that the answer is a PeerDrop daemon.
class HealthClient {
 public:
  HealthClient(boost::asio::any_io_executor executor, AnnouncementSigner& signer);

  boost::asio::awaitable<boost::system::result<HealthAnswer>> probe(
      boost::asio::ip::tcp::endpoint endpoint, std::chrono::milliseconds connect_timeout,
      std::chrono::milliseconds total_timeout);
  // Ends every probe under way (their answer is operation_aborted) and every later one.
  void stop() { streams_.close_all(); }

  // Checks a health answer's JSON body (exposed for tests and the fuzzer).
  // `waiting`, if given, is set from the answer's "waiting" field; `relay`, if
  // given, to whether it runs a relay: its "relay" object's "state" is
  // "running", or the signed announcement carries Announcement::kFlagRelay.
  static boost::system::result<Announcement> parse_health_body(std::string_view body, bool* waiting = nullptr,
                                                              bool* relay = nullptr);

 private:
  boost::asio::any_io_executor executor_;
  AnnouncementSigner& signer_;
  core::OpenStreams<boost::beast::tcp_stream> streams_;
};

}  // namespace peerdrop::discovery
