#include "channel/channel_hub.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <optional>

#include "core/errc.hpp"
#include "support/fake_clock.hpp"
#include "support/raw_tls.hpp"
#include "support/run_coroutine.hpp"

namespace peerdrop::channel {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

// A daemon's hub with a TCP listener on 127.0.0.1 that hands every
// connection to it (as the HTTP server does after seeing a ClientHello),
// and a record of what the hub told.
struct Side {
  Side(asio::io_context& io, const core::Clock& clock, const ChannelConfig& config)
      : acceptor(io, {asio::ip::address_v4::loopback(), 0}),
        hub(io.get_executor(), identity, clock, config,
            ChannelHub::Events{
                .up = [this](const std::string& peer,
                             const DaemonChannel& channel) { ups.emplace_back(peer, channel.direction()); },
                .down = [this](const std::string& peer) { downs.push_back(peer); },
                .frame = [this](const std::string& peer, FrameType type, std::span<const std::uint8_t> payload) {
                  frames.emplace_back(peer, type, std::string(payload.begin(), payload.end()));
                }},
            core::make_logger("test")) {
    accept_next();
  }
  void accept_next() {
    acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;
      hub.accept(std::move(socket), {});
      accept_next();
    });
  }
  tcp::endpoint endpoint() const { return acceptor.local_endpoint(); }
  std::span<const std::uint8_t> bytes(const std::string& text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
  }

  identity::Identity identity = identity::Identity::generate();
  tcp::acceptor acceptor;
  ChannelHub hub;
  std::vector<std::pair<std::string, DaemonChannel::Direction>> ups;
  std::vector<std::string> downs;
  std::vector<std::tuple<std::string, FrameType, std::string>> frames;
};

class ChannelHubTest : public ::testing::Test {
 protected:
  // Runs the loop until `done` or 5 s.
  template <typename F>
  bool run_until(F done) {
    const auto until = std::chrono::steady_clock::now() + 5s;
    while (!done()) {
      if (std::chrono::steady_clock::now() > until) return false;
      io_.restart();
      io_.run_for(10ms);
    }
    return true;
  }
  boost::system::error_code connect(Side& from, const Side& to, const std::string& expected) {
    return testing::run_coroutine(io_, from.hub.connect(to.endpoint(), expected));
  }
  void TearDown() override {
    a_.hub.stop();
    b_.hub.stop();
    a_.acceptor.close();
    b_.acceptor.close();
    io_.restart();
    io_.run_for(200ms);
  }

  asio::io_context io_;
  core::SystemClock clock_;
  ChannelConfig config_;
  Side a_{io_, clock_, config_};
  Side b_{io_, clock_, config_};
};

TEST_F(ChannelHubTest, AHandshakeProvesBothIdentitiesAndFramesGoBothWays) {
  EXPECT_FALSE(connect(a_, b_, b_.identity.peer_id()));
  ASSERT_TRUE(run_until([&] { return b_.hub.connected(a_.identity.peer_id()); }));
  EXPECT_EQ(a_.ups, (decltype(a_.ups){{b_.identity.peer_id(), DaemonChannel::Direction::outbound}}));
  EXPECT_EQ(b_.ups, (decltype(b_.ups){{a_.identity.peer_id(), DaemonChannel::Direction::inbound}}));
  EXPECT_TRUE(a_.hub.send(b_.identity.peer_id(), FrameType::envelopes, a_.bytes("to b")));
  EXPECT_TRUE(b_.hub.send(a_.identity.peer_id(), FrameType::ack, b_.bytes("to a")));
  ASSERT_TRUE(run_until([&] { return !a_.frames.empty() && !b_.frames.empty(); }));
  EXPECT_EQ(b_.frames[0], std::make_tuple(a_.identity.peer_id(), FrameType::envelopes, std::string("to b")));
  EXPECT_EQ(a_.frames[0], std::make_tuple(b_.identity.peer_id(), FrameType::ack, std::string("to a")));
  EXPECT_FALSE(a_.hub.send("SOMEONEELSE", FrameType::ack, a_.bytes("x")));
}

TEST_F(ChannelHubTest, AnotherKeyAtTheAddressIsRefusedAndNothingIsUp) {
  const auto someone_else = identity::Identity::generate();
  EXPECT_EQ(connect(a_, b_, someone_else.peer_id()), core::Errc::identity_mismatch);
  io_.restart();
  io_.run_for(100ms);
  EXPECT_EQ(a_.hub.size(), 0u);
  EXPECT_EQ(b_.hub.size(), 0u);
  EXPECT_TRUE(a_.ups.empty());
  EXPECT_TRUE(b_.ups.empty());
}

TEST_F(ChannelHubTest, AnExpiredCertificateIsRefusedOnBothSides) {
  testing::FakeClock past;
  past.set_unix_ms(1'000'000'000);  // 1970: its certificate expired decades ago
  Side old{io_, past, config_};
  EXPECT_EQ(connect(a_, old, old.identity.peer_id()), core::Errc::identity_mismatch);
  EXPECT_TRUE(connect(old, b_, b_.identity.peer_id()));  // b refuses it as a client too
  io_.restart();
  io_.run_for(100ms);
  EXPECT_EQ(b_.hub.size(), 0u);
  old.hub.stop();
}

TEST_F(ChannelHubTest, WhenBothConnectAtOnceBothKeepTheChannelTheLowerIdOpened) {
  bool a_done = false;
  bool b_done = false;
  asio::co_spawn(io_, a_.hub.connect(b_.endpoint(), b_.identity.peer_id()),
                 [&](std::exception_ptr, boost::system::error_code) { a_done = true; });
  asio::co_spawn(io_, b_.hub.connect(a_.endpoint(), a_.identity.peer_id()),
                 [&](std::exception_ptr, boost::system::error_code) { b_done = true; });
  const bool a_lower = a_.identity.peer_id() < b_.identity.peer_id();
  using Direction = DaemonChannel::Direction;
  const auto keeps = [](const Side& side, const Side& other, Direction direction) {
    const auto* channel = side.hub.active(other.identity.peer_id());
    return channel && channel->direction() == direction;
  };
  // The kept channel is outbound at the lower id, inbound at the other. A
  // TLS 1.3 client is done before its server, so each side may hold its own
  // channel for a moment: wait for the state both settle in.
  const auto a_keeps = a_lower ? Direction::outbound : Direction::inbound;
  const auto b_keeps = a_lower ? Direction::inbound : Direction::outbound;
  ASSERT_TRUE(run_until([&] {
    return a_done && b_done && keeps(a_, b_, a_keeps) && keeps(b_, a_, b_keeps) && a_.hub.size() == 1 &&
           b_.hub.size() == 1;
  }));
  EXPECT_EQ(a_.ups.back().second, a_keeps);
  EXPECT_EQ(b_.ups.back().second, b_keeps);
  EXPECT_TRUE(a_.hub.send(b_.identity.peer_id(), FrameType::ack, a_.bytes("after")));
  ASSERT_TRUE(run_until([&] { return !b_.frames.empty(); }));
  EXPECT_TRUE(a_.downs.empty());
  EXPECT_TRUE(b_.downs.empty());
}

TEST_F(ChannelHubTest, PlainBytesOnTheChannelAreClosedWithoutAChannel) {
  tcp::socket client(io_);
  client.connect(b_.endpoint());
  asio::write(client, asio::buffer(std::string("GET / HTTP/1.1\r\n\r\n")));
  io_.restart();
  io_.run_for(200ms);
  EXPECT_EQ(b_.hub.size(), 0u);
  EXPECT_TRUE(b_.ups.empty());
}

TEST_F(ChannelHubTest, AClosedChannelIsDownOnBothSides) {
  ASSERT_FALSE(connect(a_, b_, b_.identity.peer_id()));
  ASSERT_TRUE(run_until([&] { return b_.hub.connected(a_.identity.peer_id()); }));
  a_.hub.stop();
  ASSERT_TRUE(run_until([&] { return !b_.downs.empty(); }));
  EXPECT_EQ(b_.downs, std::vector<std::string>{a_.identity.peer_id()});
  EXPECT_FALSE(b_.hub.connected(a_.identity.peer_id()));
}

// A client with a valid identity certificate that offers no ALPN, or only
// another protocol, never gets a channel: the handshake fails.
TEST_F(ChannelHubTest, AClientWithoutAlpnPeerdrop2GetsNoChannel) {
  const auto client_identity = identity::Identity::generate();
  const auto certificate = IdentityCertificate::create(client_identity, clock_.unix_ms() / 1000);
  for (const std::string alpn : {"", "http/1.1"}) {
    auto context = testing::raw_tls_context(asio::ssl::context::tls_client, certificate, alpn);
    asio::ssl::stream<tcp::socket> client(io_, context);
    const auto ec = testing::run_coroutine(io_, testing::raw_tls_connect(client, b_.endpoint()));
    EXPECT_TRUE(ec) << "ALPN \"" << alpn << "\": the handshake completed";
    io_.restart();
    io_.run_for(100ms);
    EXPECT_EQ(b_.hub.size(), 0u) << "ALPN \"" << alpn << "\"";
    EXPECT_TRUE(b_.ups.empty()) << "ALPN \"" << alpn << "\"";
  }
}

// A server with the expected identity that selects no protocol is not used as a channel.
TEST_F(ChannelHubTest, AServerThatSelectsNoAlpnIsRefused) {
  const auto server_identity = identity::Identity::generate();
  const auto certificate = IdentityCertificate::create(server_identity, clock_.unix_ms() / 1000);
  auto context = testing::raw_tls_context(asio::ssl::context::tls_server, certificate);
  tcp::acceptor acceptor(io_, {asio::ip::address_v4::loopback(), 0});
  std::optional<asio::ssl::stream<tcp::socket>> server;
  acceptor.async_accept([&](boost::system::error_code ec, tcp::socket socket) {
    if (ec) return;
    server.emplace(std::move(socket), context);
    server->async_handshake(asio::ssl::stream_base::server, [](boost::system::error_code) {});
  });
  EXPECT_EQ(testing::run_coroutine(io_, a_.hub.connect(acceptor.local_endpoint(), server_identity.peer_id())),
            core::Errc::unsupported_version);
  EXPECT_EQ(a_.hub.size(), 0u);
  EXPECT_TRUE(a_.ups.empty());
  // The server's handshake ends before its stream goes.
  acceptor.close();
  if (server) server->next_layer().close();
  io_.restart();
  io_.run_for(100ms);
}

}  // namespace
}  // namespace peerdrop::channel
