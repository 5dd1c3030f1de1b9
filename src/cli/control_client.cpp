#include "cli/control_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/system/errc.hpp>
#include <exception>
#include <utility>

#include "core/errc.hpp"

namespace peerdrop::cli {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using Result = boost::system::result<HttpAnswer>;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

struct Exchange {
  asio::ip::tcp::endpoint to;
  bhttp::request<bhttp::string_body> request;
  std::chrono::milliseconds timeout;
};

boost::system::error_code named(const boost::system::error_code& ec) {
  if (ec == beast::error::timeout) return make_error_code(core::Errc::timeout);
  if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit) return make_error_code(core::Errc::too_large);
  return ec;
}

// Takes the exchange by reference: g++ 12 mis-copies some class-type coroutine parameters
// (docs/architecture.md, "Known compiler workarounds"); request() holds it until io.run() returns.
asio::awaitable<Result> run_exchange(const Exchange& exchange) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_after(exchange.timeout);  // one deadline for connecting, sending and reading
  if (auto [ec] = co_await stream.async_connect(exchange.to, kNoThrow); ec) co_return named(ec);
  if (auto [ec, n] = co_await bhttp::async_write(stream, exchange.request, kNoThrow); ec) co_return named(ec);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.header_limit(64 * 1024);
  parser.body_limit(ControlClient::kMaxAnswerBytes);
  if (auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, kNoThrow); ec) co_return named(ec);
  boost::system::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  co_return HttpAnswer{static_cast<int>(parser.get().result_int()), std::move(parser.get().body())};
}

}  // namespace

ControlClient::ControlClient(control::ControlEndpoint endpoint, std::string token, std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)), token_(std::move(token)), timeout_(timeout) {}

boost::system::result<HttpAnswer> ControlClient::request(std::string_view method, std::string_view target,
                                                         std::string_view json_body) const {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(endpoint_.host, ec);
  if (ec) return make_error_code(core::Errc::malformed);
  const auto verb = bhttp::string_to_verb(method);
  if (verb == bhttp::verb::unknown) return make_error_code(core::Errc::malformed);
  bhttp::request<bhttp::string_body> request(verb, std::string(target), 11);
  request.set(bhttp::field::host, endpoint_.authority());
  request.set(bhttp::field::user_agent, "peerdrop/" PEERDROP_VERSION);
  if (!token_.empty()) request.set(bhttp::field::authorization, "Bearer " + token_);
  if (!json_body.empty()) {
    request.set(bhttp::field::content_type, "application/json");
    request.body() = std::string(json_body);
  }
  request.prepare_payload();

  asio::io_context io(1);
  Result result = make_error_code(core::Errc::timeout);
  const Exchange exchange{{address, endpoint_.port}, std::move(request), timeout_};
  asio::co_spawn(io, run_exchange(exchange),
                 [&result](std::exception_ptr e, Result answer) {
                   // Asio and Beast report errors as values here; only a failed allocation could throw.
                   result = e ? Result(make_error_code(boost::system::errc::not_enough_memory)) : std::move(answer);
                 });
  io.run();
  return result;
}

}  // namespace peerdrop::cli
