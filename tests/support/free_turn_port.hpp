#pragma once

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <cstdint>

namespace peerdrop::testing {

// A port free for UDP and TCP on 127.0.0.1 now, outside the relay's default
// port range (49160-49359), for a managed TURN relay to listen on.
inline std::uint16_t free_turn_port() {
  boost::asio::io_context io;
  for (int attempt = 0; attempt < 50; ++attempt) {
    boost::asio::ip::tcp::acceptor tcp(io, {boost::asio::ip::address_v4::loopback(), 0});
    const auto port = tcp.local_endpoint().port();
    if (port >= 49160 && port <= 49359) continue;
    boost::system::error_code ec;
    boost::asio::ip::udp::socket udp(io);
    udp.open(boost::asio::ip::udp::v4(), ec);
    if (!ec) udp.bind({boost::asio::ip::address_v4::loopback(), port}, ec);
    if (!ec) return port;
  }
  ADD_FAILURE() << "no free port for the relay";
  return 3478;
}

}  // namespace peerdrop::testing
