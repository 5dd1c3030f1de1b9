#pragma once

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "channel/identity_certificate.hpp"

namespace peerdrop::testing {

// A TLS 1.3 context for a test's own client or server, outside the daemon's
// TlsContexts: it presents `certificate`, checks nothing of the other side
// and speaks ALPN only as told. A client offers `alpn` (nothing when empty);
// a server never selects a protocol.
inline boost::asio::ssl::context raw_tls_context(boost::asio::ssl::context::method method,
                                                 const channel::IdentityCertificate& certificate,
                                                 const std::string& alpn = "") {
  boost::asio::ssl::context context(method);
  SSL_CTX* native = context.native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_3_VERSION) != 1 ||
      SSL_CTX_use_certificate(native, certificate.certificate()) != 1 ||
      SSL_CTX_use_PrivateKey(native, certificate.key()) != 1) {
    throw std::runtime_error("cannot set up the test's TLS context");
  }
  context.set_verify_mode(boost::asio::ssl::verify_none);
  if (!alpn.empty()) {
    std::vector<unsigned char> wire{static_cast<unsigned char>(alpn.size())};
    wire.insert(wire.end(), alpn.begin(), alpn.end());
    if (SSL_CTX_set_alpn_protos(native, wire.data(), static_cast<unsigned int>(wire.size())) != 0) {
      throw std::runtime_error("cannot set the test's ALPN");
    }
  }
  return context;
}

// Connects to `endpoint` and runs a client handshake with `context`: the
// handshake's error (none when it completed). The stream is kept in `stream`.
inline boost::asio::awaitable<boost::system::error_code> raw_tls_connect(
    boost::asio::ssl::stream<boost::asio::ip::tcp::socket>& stream, boost::asio::ip::tcp::endpoint endpoint) {
  namespace asio = boost::asio;
  auto [connect_ec] = co_await stream.next_layer().async_connect(endpoint, asio::as_tuple(asio::use_awaitable));
  if (connect_ec) co_return connect_ec;
  auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
  co_return ec;
}

}  // namespace peerdrop::testing
