#include "ui/ui_hub.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/serialize.hpp>
#include <future>
#include <thread>

#include "http/http_server.hpp"
#include "support/wait_until.hpp"
#include "support/fake_clock.hpp"
#include "support/fake_api_services.hpp"
#include "support/loopback_http_config.hpp"

namespace peerdrop::ui {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using asio::ip::tcp;
using namespace std::chrono_literals;

// A real HTTP server with the UI hub behind /ws, on 127.0.0.1 port 0; the
// test is a plain blocking WebSocket client, as a browser tab would be.
class UiHubTest : public ::testing::Test {
 protected:
  static WsConfig small_config() {
    WsConfig config;
    config.max_frame_bytes = 1024;
    config.max_binary_frame_bytes = 8192;
    config.max_queued_bytes = 64 * 1024;
    return config;
  }
  // What the daemon's UiRouter would do, reduced to recording what arrives.
  UiHub::Events events() {
    return UiHub::Events{
        .opened = [this](Tab tab) { hub_.send_to(tab, R"({"type":"welcome"})"); },
        .text =
            [this](Tab tab, std::string_view text) {
              received_.emplace_back(text);
              if (text.find(R"("type":"flood")") != std::string_view::npos) {
                const std::string chunk(1000, 'x');
                for (int i = 0; i < 2000; ++i) hub_.send_to(tab, R"({"type":"flood","data":")" + chunk + "\"}");
              }
            },
        .binary =
            [this](Tab tab, std::span<const std::uint8_t> bytes) {
              binary_.emplace_back(tab, std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
              hub_.send_to(tab, R"({"type":"got"})");
            },
        .closed = {}};
  }

  void SetUp() override {
    server_.start();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    asio::post(io_, [this] {
      server_.stop();
      hub_.stop();
    });
    thread_.join();
  }

  using Client = websocket::stream<tcp::socket>;
  std::unique_ptr<Client> open(const std::string& origin, const std::string& host = "",
                               const std::string& target = "/ws?token=" + std::string(52, 'T')) {
    auto client = std::make_unique<Client>(client_io_);
    client->next_layer().connect(tcp::endpoint(asio::ip::address_v4::loopback(), port_));
    timeval timeout{3, 0};
    ::setsockopt(client->next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    client->set_option(websocket::stream_base::decorator([origin](websocket::request_type& request) {
      if (!origin.empty()) request.set(beast::http::field::origin, origin);
    }));
    client->handshake(host.empty() ? "127.0.0.1:" + std::to_string(port_) : host, target);
    return client;
  }
  static std::string read(Client& client) {
    beast::flat_buffer buffer;
    client.read(buffer);
    return beast::buffers_to_string(buffer.data());
  }
  std::size_t open_sessions() {
    std::promise<std::size_t> count;
    asio::post(io_, [&] { count.set_value(hub_.size()); });
    return count.get_future().get();
  }
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }

  asio::io_context io_;
  asio::io_context client_io_;
  testing::FakeClock clock_;
  testing::FakeApiServices fakes_;
  http::HttpConfig config_ = testing::loopback_http_config();
  WsConfig ws_config_ = small_config();
  tcp::acceptor acceptor_ = http::HttpServer::bind(io_, config_);
  std::uint16_t port_ = acceptor_.local_endpoint().port();
  http::LocalRequestPolicy policy_{port_, {"127.0.0.1"}};
  http::ControlToken token_{std::string(52, 'T')};
  core::RateLimiter limiter_{clock_, {}};
  http::StaticAssets assets_;
  http::ApiHandler handler_{fakes_.services(), policy_, token_, limiter_, limiter_, assets_, core::make_logger("test")};
  UiHub hub_{ws_config_, events(), core::make_logger("test")};
  http::HttpServer server_{io_, config_, std::move(acceptor_), policy_, handler_,
                           [this](tcp::socket socket, http::Request request) {
                             hub_.accept(std::move(socket), std::move(request));
                           },
                           nullptr, core::make_logger("test")};
  std::vector<std::string> received_;  // only touched on the io thread, read after it stopped
  std::vector<std::pair<std::uint64_t, std::vector<std::uint8_t>>> binary_;  // the same
  std::thread thread_;
};

// The hub carries text as it came; reading it (and refusing garbage) is the
// UI protocol's job (ui_message_parser_test.cpp).
TEST_F(UiHubTest, GreetsASameOriginTabAndPassesItsMessagesOn) {
  auto client = open(origin());
  EXPECT_EQ(read(*client), R"({"type":"welcome"})");
  client->write(asio::buffer(std::string(R"({"type":"hello","ref":1})")));
  client->write(asio::buffer(std::string("not json")));
  client->close(websocket::close_code::normal);
  EXPECT_TRUE(testing::wait_until([&] { return open_sessions() == 0; }, 2s));
  std::promise<std::vector<std::string>> received;
  asio::post(io_, [&] { received.set_value(received_); });
  const auto messages = received.get_future().get();
  EXPECT_EQ(messages, (std::vector<std::string>{R"({"type":"hello","ref":1})", "not json"}));
}

TEST_F(UiHubTest, RefusesOtherOriginsAndForeignHosts) {
  EXPECT_THROW(open("http://evil.example"), boost::system::system_error);
  EXPECT_THROW(open("http://127.0.0.1:1"), boost::system::system_error);
  EXPECT_THROW(open(origin(), "evil.example"), boost::system::system_error);
  EXPECT_EQ(open_sessions(), 0u);
}

// Another user of this machine is a local client with a same-origin page too; it lacks the token.
TEST_F(UiHubTest, RefusesATabWithoutTheControlToken) {
  EXPECT_THROW(open(origin(), "", "/ws"), boost::system::system_error);
  EXPECT_THROW(open(origin(), "", "/ws?token=" + std::string(52, 'U')), boost::system::system_error);
  EXPECT_THROW(open(origin(), "", "/ws?token=" + std::string(51, 'T')), boost::system::system_error);
  EXPECT_THROW(open("", "", "/ws?token="), boost::system::system_error);
  EXPECT_EQ(open_sessions(), 0u);
  EXPECT_NO_THROW(open(origin()));
}

TEST_F(UiHubTest, ClosesATabThatSendsAnOversizedFrame) {
  auto client = open(origin());
  read(*client);
  boost::system::error_code ec;
  client->write(asio::buffer(std::string(4096, 'x')), ec);
  beast::flat_buffer buffer;
  client->read(buffer, ec);
  EXPECT_TRUE(ec) << "the oversized frame was accepted";
  EXPECT_TRUE(testing::wait_until([&] { return open_sessions() == 0; }, 2s));
}

TEST_F(UiHubTest, PassesBinaryMessagesOnWithTheirTabAndKeepsTheTextLimitForText) {
  auto client = open(origin());
  read(*client);
  std::vector<std::uint8_t> bytes(8192);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i);
  client->binary(true);
  client->write(asio::buffer(bytes));  // over the text limit, within the binary one
  EXPECT_EQ(read(*client), R"({"type":"got"})");
  client->write(asio::buffer(bytes.data(), 1));
  EXPECT_EQ(read(*client), R"({"type":"got"})");
  client->text(true);
  boost::system::error_code ec;
  client->write(asio::buffer(std::string(2048, ' ')), ec);  // text over its limit closes the tab
  beast::flat_buffer buffer;
  client->read(buffer, ec);
  EXPECT_TRUE(ec);
  EXPECT_TRUE(testing::wait_until([&] { return open_sessions() == 0; }, 2s));
  std::promise<std::vector<std::pair<std::uint64_t, std::vector<std::uint8_t>>>> received;
  asio::post(io_, [&] { received.set_value(binary_); });
  const auto messages = received.get_future().get();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].second, bytes);
  EXPECT_EQ(messages[1].second, std::vector<std::uint8_t>{0});
  EXPECT_EQ(messages[0].first, messages[1].first);
}

TEST_F(UiHubTest, ClosesATabThatSendsAnOversizedBinaryFrame) {
  auto client = open(origin());
  read(*client);
  client->binary(true);
  boost::system::error_code ec;
  client->write(asio::buffer(std::vector<std::uint8_t>(8193)), ec);
  beast::flat_buffer buffer;
  client->read(buffer, ec);
  EXPECT_TRUE(ec) << "the oversized frame was accepted";
  EXPECT_TRUE(testing::wait_until([&] { return open_sessions() == 0; }, 2s));
}

TEST_F(UiHubTest, DisconnectsATabThatDoesNotReadInsteadOfBufferingForever) {
  auto client = open(origin());
  read(*client);
  client->write(asio::buffer(std::string(R"({"type":"flood"})")));  // 2 MB queued for a reader that never reads
  EXPECT_TRUE(testing::wait_until([&] { return open_sessions() == 0; }, 3s));
}

}  // namespace
}  // namespace peerdrop::ws
