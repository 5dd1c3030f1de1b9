#include "channel/tls_contexts.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <functional>
#include <optional>

#include "core/clock.hpp"
#include "support/raw_tls.hpp"

namespace peerdrop::channel {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::ip::tcp;
using namespace std::chrono_literals;
using Stream = ssl::stream<tcp::socket>;

// One handshake over loopback between a client and a server context; what
// each end saw.
struct Handshake {
  boost::system::error_code client;
  boost::system::error_code server;
  bool client_agreed = false;  // TlsContexts::agreed_on_alpn at each end, once done
  bool server_agreed = false;
};

class TlsContextsTest : public ::testing::Test {
 protected:
  // The daemon's server context (as ChannelHub uses it) against `client_context`.
  Handshake to_daemon(ssl::context& client_context) {
    return run(client_context, tls_.server(), {}, tls_.verifier(""));
  }
  // The daemon's client context, expecting `server_id`, against `server_context`.
  Handshake from_daemon(ssl::context& server_context, const std::string& server_id) {
    return run(tls_.client(), server_context, tls_.verifier(server_id), {});
  }

  using Verifier = std::function<bool(bool, ssl::verify_context&)>;
  // Each end checks the other's certificate with its verifier, if it has one.
  Handshake run(ssl::context& client_context, ssl::context& server_context, Verifier client_verifier,
                Verifier server_verifier) {
    tcp::acceptor acceptor(io_, {asio::ip::address_v4::loopback(), 0});
    Stream client(io_, client_context);
    std::optional<Stream> server;
    if (client_verifier) client.set_verify_callback(client_verifier);
    Handshake out;
    bool client_done = false;
    bool server_done = false;
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> {
          auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
          if (ec) {
            out.server = ec;
          } else {
            server.emplace(std::move(socket), server_context);
            if (server_verifier) server->set_verify_callback(server_verifier);
            auto [handshake_ec] =
                co_await server->async_handshake(ssl::stream_base::server, asio::as_tuple(asio::use_awaitable));
            out.server = handshake_ec;
            out.server_agreed = !handshake_ec && TlsContexts::agreed_on_alpn(server->native_handle());
            if (handshake_ec) server->next_layer().close();  // the client reads the alert, then the end
          }
          server_done = true;
        },
        asio::detached);
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> {
          out.client = co_await testing::raw_tls_connect(client, acceptor.local_endpoint());
          out.client_agreed = !out.client && TlsContexts::agreed_on_alpn(client.native_handle());
          client_done = true;
        },
        asio::detached);
    const auto until = std::chrono::steady_clock::now() + 5s;
    while (!(client_done && server_done) && std::chrono::steady_clock::now() < until) {
      io_.restart();
      io_.run_for(10ms);
    }
    EXPECT_TRUE(client_done && server_done) << "the handshake did not end within 5 s";
    client.next_layer().close();
    if (server) server->next_layer().close();
    acceptor.close();
    io_.restart();
    io_.run_for(10ms);
    return out;
  }

  asio::io_context io_;
  core::SystemClock clock_;
  identity::Identity daemon_ = identity::Identity::generate();
  identity::Identity other_ = identity::Identity::generate();
  IdentityCertificate daemon_certificate_ = IdentityCertificate::create(daemon_, clock_.unix_ms() / 1000);
  IdentityCertificate other_certificate_ = IdentityCertificate::create(other_, clock_.unix_ms() / 1000);
  TlsContexts tls_{daemon_certificate_, clock_};
};

TEST_F(TlsContextsTest, AClientOfferingPeerdrop2WithAnIdentityCertificateCompletesTheHandshake) {
  auto client = testing::raw_tls_context(ssl::context::tls_client, other_certificate_, TlsContexts::kAlpn);
  const auto handshake = to_daemon(client);
  EXPECT_FALSE(handshake.client) << handshake.client.message();
  EXPECT_FALSE(handshake.server) << handshake.server.message();
  EXPECT_TRUE(handshake.client_agreed);
  EXPECT_TRUE(handshake.server_agreed);
}

TEST_F(TlsContextsTest, AClientOfferingNoAlpnIsRefusedDuringTheHandshake) {
  auto client = testing::raw_tls_context(ssl::context::tls_client, other_certificate_);
  const auto handshake = to_daemon(client);
  EXPECT_TRUE(handshake.server) << "the daemon completed a handshake without ALPN";
  ASSERT_TRUE(handshake.client) << "the client completed a handshake without ALPN";
  EXPECT_NE(handshake.client.message().find("no application protocol"), std::string::npos)
      << handshake.client.message();
}

TEST_F(TlsContextsTest, AClientOfferingOnlyHttp11IsRefusedDuringTheHandshake) {
  auto client = testing::raw_tls_context(ssl::context::tls_client, other_certificate_, "http/1.1");
  const auto handshake = to_daemon(client);
  EXPECT_TRUE(handshake.server) << "the daemon completed a handshake with ALPN http/1.1";
  ASSERT_TRUE(handshake.client) << "the client completed a handshake with ALPN http/1.1";
  EXPECT_NE(handshake.client.message().find("no application protocol"), std::string::npos)
      << handshake.client.message();
}

TEST_F(TlsContextsTest, AServerThatSelectsNoProtocolIsNotAgreedOn) {
  auto server = testing::raw_tls_context(ssl::context::tls_server, other_certificate_);
  const auto handshake = from_daemon(server, other_.peer_id());
  // OpenSSL lets the client finish; the daemon's check after it says no.
  EXPECT_FALSE(handshake.client) << handshake.client.message();
  EXPECT_FALSE(handshake.client_agreed);
}

}  // namespace
}  // namespace peerdrop::channel
