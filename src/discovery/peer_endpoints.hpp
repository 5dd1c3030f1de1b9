#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <vector>

#include "discovery/peer_info.hpp"

namespace peerdrop::discovery {

// A peer's HTTP addresses as endpoints, most recent first (unparsable ones skipped).
inline std::vector<boost::asio::ip::tcp::endpoint> tcp_endpoints(const PeerInfo& peer) {
  std::vector<boost::asio::ip::tcp::endpoint> out;
  for (const auto& address : peer.addresses) {
    boost::system::error_code ec;
    const auto ip = boost::asio::ip::make_address(address.ip, ec);
    if (!ec) out.emplace_back(ip, address.port);
  }
  return out;
}

}  // namespace peerdrop::discovery
