#include "http/http_server.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <thread>

#include "support/fake_clock.hpp"
#include "support/fake_api_services.hpp"
#include "support/loopback_http_config.hpp"

namespace peerdrop::http {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

// A real server on 127.0.0.1, port 0, with short limits; clients are plain blocking sockets.
class HttpServerTest : public ::testing::Test {
 protected:
  static HttpConfig test_config() {
    auto config = testing::loopback_http_config();
    config.request_timeout = 300ms;
    config.max_connections_per_client = 4;
    return config;
  }

  void SetUp() override {
    server_.start();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    asio::post(io_, [this] { server_.stop(); });
    thread_.join();
  }

  tcp::socket connect() {
    tcp::socket socket(client_io_);
    socket.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port_));
    timeval timeout{3, 0};  // a test never waits forever for an answer
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    return socket;
  }
  // Sends raw bytes and reads until the server closes (or 3 s pass).
  std::string exchange(const std::string& raw) {
    auto socket = connect();
    boost::system::error_code ec;
    asio::write(socket, asio::buffer(raw), ec);
    return read_all(socket);
  }
  static std::string read_all(tcp::socket& socket) {
    std::string answer;
    char buffer[4096];
    boost::system::error_code ec;
    for (;;) {
      const auto n = socket.read_some(asio::buffer(buffer), ec);
      if (ec) break;
      answer.append(buffer, n);
    }
    return answer;
  }
  std::string request(const std::string& start, const std::string& extra_headers = "", const std::string& body = "") {
    return start + "\r\nHost: 127.0.0.1:" + std::to_string(port_) + "\r\nConnection: close\r\n" + extra_headers +
           (body.empty() ? "" : "Content-Length: " + std::to_string(body.size()) + "\r\n") + "\r\n" + body;
  }

  asio::io_context io_;
  asio::io_context client_io_;
  testing::FakeClock clock_;
  testing::FakeApiServices fakes_;
  HttpConfig config_ = test_config();
  tcp::acceptor acceptor_ = HttpServer::bind(io_, config_);
  std::uint16_t port_ = acceptor_.local_endpoint().port();
  LocalRequestPolicy policy_{port_, {"127.0.0.1"}};
  http::ControlToken token_{std::string(52, 'T')};
  core::RateLimiter limiter_{clock_, {}};
  StaticAssets assets_;
  http::ApiHandler handler_{fakes_.services(), policy_, token_, limiter_, limiter_, assets_, core::make_logger("test")};
  HttpServer server_{io_, config_, std::move(acceptor_), policy_, handler_, nullptr, nullptr, core::make_logger("test")};
  std::thread thread_;
};

TEST_F(HttpServerTest, AnswersAHealthCheck) {
  const auto answer = exchange(request("GET /api/health HTTP/1.1"));
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200 OK")) << answer;
  EXPECT_NE(answer.find("\"status\":\"ok\""), std::string::npos);
}

TEST_F(HttpServerTest, ServesSeveralRequestsOnOneKeepAliveConnection) {
  auto socket = connect();
  const std::string one = "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  asio::write(socket, asio::buffer(one + one + request("GET /api/health HTTP/1.1")));
  const auto answer = read_all(socket);
  std::size_t count = 0;
  for (auto at = answer.find("HTTP/1.1 200"); at != std::string::npos; at = answer.find("HTTP/1.1 200", at + 1)) ++count;
  EXPECT_EQ(count, 3u) << answer;
}

TEST_F(HttpServerTest, RefusesOversizedHeadersWith431) {
  const auto answer = exchange(request("GET /api/health HTTP/1.1", "X-Big: " + std::string(9000, 'a') + "\r\n"));
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 431")) << answer.substr(0, 200);
  EXPECT_NE(answer.find("header_too_large"), std::string::npos);
}

TEST_F(HttpServerTest, RefusesOversizedBodiesWith413BeforeReadingThem) {
  const auto answer =
      exchange("POST /api/peers HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) +
               "\r\nContent-Length: 1048576\r\n\r\n" + std::string(1000, 'x'));
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 413")) << answer.substr(0, 200);
  EXPECT_NE(answer.find("payload_too_large"), std::string::npos);
  EXPECT_TRUE(fakes_.directory.added.empty());
}

TEST_F(HttpServerTest, RefusesGarbageWith400) {
  for (const std::string garbage : {std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"),
                                    std::string("GET\r\n\r\n"), std::string("GET / HTTP/9.9\r\n\r\n"),
                                    std::string("POST /api/peers HTTP/1.1\r\nContent-Length: -5\r\n\r\n")}) {
    const auto answer = exchange(garbage);
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 400")) << answer.substr(0, 200);
  }
}

TEST_F(HttpServerTest, AnswersHeadWithHeadersOnly) {
  const auto answer = exchange(request("HEAD /api/health HTTP/1.1"));
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 405")) << answer;
  const auto end_of_headers = answer.find("\r\n\r\n");
  ASSERT_NE(end_of_headers, std::string::npos);
  EXPECT_EQ(answer.size(), end_of_headers + 4) << "a HEAD answer carried a body";
  const auto page = exchange(request("HEAD / HTTP/1.1"));
  EXPECT_TRUE(page.starts_with("HTTP/1.1 200")) << page;
  EXPECT_EQ(page.size(), page.find("\r\n\r\n") + 4);
}

TEST_F(HttpServerTest, SaysNothingWhenTheClientClosesBetweenRequests) {
  auto socket = connect();
  asio::write(socket, asio::buffer(std::string("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")));
  socket.shutdown(tcp::socket::shutdown_send);
  const auto answer = read_all(socket);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
  EXPECT_EQ(answer.find("HTTP/1.1 400"), std::string::npos) << answer;
}

// Daemons talk over their channel, not over HTTP: no endpoint takes more than the body limit.
TEST_F(HttpServerTest, NoEndpointTakesALargerBody) {
  const std::string body(100 * 1024, 'x');
  const auto signal = exchange("POST /api/signal HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: " +
                               std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_TRUE(signal.starts_with("HTTP/1.1 413")) << signal.substr(0, 100);
  const auto peers = exchange("POST /api/peers HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_TRUE(peers.starts_with("HTTP/1.1 413")) << peers.substr(0, 100);
}

TEST_F(HttpServerTest, CutsOffAClientThatSendsTooSlowly) {
  auto socket = connect();
  asio::write(socket, asio::buffer(std::string("GET /api/health HTTP/1.1\r\nHost: 127.")));
  const auto started = std::chrono::steady_clock::now();
  const auto answer = read_all(socket);  // returns when the server closes
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(answer, "");
  EXPECT_LT(waited, 2s) << "the slow client held its connection for too long";
  EXPECT_GE(waited, 250ms);
}

TEST_F(HttpServerTest, LimitsConnectionsPerClient) {
  std::vector<tcp::socket> idle;
  for (int i = 0; i < 4; ++i) idle.push_back(connect());
  // Wait until the server has registered all four (no sleeps: ask it).
  for (int i = 0; i < 200; ++i) {
    std::promise<std::size_t> count;
    asio::post(io_, [&] { count.set_value(server_.connection_count()); });
    if (count.get_future().get() == 4) break;
    std::this_thread::sleep_for(5ms);
  }
  const auto answer = exchange(request("GET /api/health HTTP/1.1"));
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 503")) << answer;
  EXPECT_NE(answer.find("\"code\":\"busy\""), std::string::npos);
}

}  // namespace
}  // namespace peerdrop::http
