#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cli/control_client.hpp"
#include "cli/daemon_api.hpp"

namespace peerdrop::testing {

// A stand-in for peerdropd's control API on 127.0.0.1 (an ephemeral port):
// each request goes to `handler`, whose answer is sent back; an answer with
// status 0 closes the connection without a word, as a daemon that stopped.
// Serves on a thread of its own, one request at a time, until destroyed.
class FakeControlDaemon {
 public:
  struct Answer {
    int status = 200;
    std::string body;
  };
  using Handler = std::function<Answer(const std::string& method, const std::string& target, const std::string& body)>;

  explicit FakeControlDaemon(Handler handler) : handler_(std::move(handler)) {
    acceptor_.open(boost::asio::ip::tcp::v4());
    acceptor_.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    boost::asio::co_spawn(io_, serve(), boost::asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~FakeControlDaemon() {
    io_.stop();
    thread_.join();
  }
  FakeControlDaemon(const FakeControlDaemon&) = delete;
  FakeControlDaemon& operator=(const FakeControlDaemon&) = delete;

  control::ControlEndpoint endpoint() const {
    return control::ControlEndpoint{
        .host = "127.0.0.1", .port = acceptor_.local_endpoint().port(), .pid = 1, .id = std::string(52, 'A')};
  }
  // A DaemonApi that talks to it (with a short deadline).
  cli::DaemonApi api() const {
    return cli::DaemonApi(cli::ControlClient(endpoint(), "token", std::chrono::milliseconds(2'000)), "/nowhere");
  }
  // "METHOD TARGET BODY" of each request so far.
  std::vector<std::string> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  boost::asio::awaitable<void> serve() {
    namespace http = boost::beast::http;
    constexpr auto kNoThrow = boost::asio::as_tuple(boost::asio::use_awaitable);
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kNoThrow);
      if (ec) co_return;
      boost::beast::tcp_stream stream(std::move(socket));
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> request;
      if (auto [read_ec, n] = co_await http::async_read(stream, buffer, request, kNoThrow); read_ec) continue;
      const std::string method(request.method_string());
      const std::string target(request.target());
      Answer answer;
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(method + " " + target + (request.body().empty() ? "" : " " + request.body()));
      }
      answer = handler_(method, target, request.body());
      if (answer.status == 0) continue;  // the stream closes unanswered
      http::response<http::string_body> response(static_cast<http::status>(answer.status), 11);
      response.set(http::field::content_type, "application/json");
      response.body() = answer.body;
      response.prepare_payload();
      co_await http::async_write(stream, response, kNoThrow);
    }
  }

  Handler handler_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_{io_};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
};

}  // namespace peerdrop::testing
