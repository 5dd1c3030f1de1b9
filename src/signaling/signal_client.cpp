#include "signaling/signal_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <charconv>

#include "core/base64.hpp"
#include "core/errc.hpp"

namespace peerdrop::signaling {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {

std::uint64_t parse_number(std::string_view text) {
  std::uint64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

}  // namespace

SignalClient::SignalClient(asio::any_io_executor executor, discovery::AnnouncementSigner& signer,
                           std::size_t max_response_bytes)
    : executor_(executor), signer_(signer), max_response_bytes_(max_response_bytes) {}

asio::awaitable<boost::system::result<ExchangeResponse>> SignalClient::exchange(asio::ip::tcp::endpoint endpoint,
                                                                                const ExchangeRequest& request) {
  using core::Errc;
  beast::tcp_stream stream(executor_);
  const auto registration = streams_.track(stream);
  stream.expires_after(request.timeout);
  auto [connect_ec] = co_await stream.async_connect(endpoint, asio::as_tuple(asio::use_awaitable));
  if (connect_ec) co_return connect_ec == beast::error::timeout ? core::make_error_code(Errc::timeout) : connect_ec;
  // Headers and body may leave in two writes: without this, Nagle's algorithm
  // and the peer's delayed ACK add 40 ms to every exchange.
  boost::system::error_code nodelay_ec;
  stream.socket().set_option(asio::ip::tcp::no_delay(true), nodelay_ec);

  bhttp::request<bhttp::vector_body<std::uint8_t>> message(bhttp::verb::post, "/api/signal", 11);
  message.set(bhttp::field::host, endpoint.address().to_string() + ":" + std::to_string(endpoint.port()));
  message.set(bhttp::field::content_type, "application/octet-stream");
  message.set("X-PeerDrop-Hello", core::base64_encode(signer_.make(discovery::AnnouncementKind::probe)));
  message.set("X-PeerDrop-Ack", std::to_string(request.ack));
  if (request.poll) message.set("X-PeerDrop-Poll", "1");
  if (request.cannot_reach_you) message.set("X-PeerDrop-Cannot-Reach-You", "1");
  message.keep_alive(false);
  message.body() = request.body;
  message.prepare_payload();
  auto [write_ec, written] = co_await bhttp::async_write(stream, message, asio::as_tuple(asio::use_awaitable));
  if (write_ec) co_return write_ec == beast::error::timeout ? core::make_error_code(Errc::timeout) : write_ec;

  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::vector_body<std::uint8_t>> parser;
  parser.header_limit(8 * 1024);
  parser.body_limit(max_response_bytes_);
  auto [read_ec, read] = co_await bhttp::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
  boost::system::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  if (read_ec) co_return read_ec == beast::error::timeout ? core::make_error_code(Errc::timeout) : read_ec;
  auto& response = parser.get();
  if (response.result() == bhttp::status::too_many_requests || response.result() == bhttp::status::service_unavailable) {
    co_return core::make_error_code(Errc::rate_limited);  // reachable, but busy: not a one-way path
  }
  if (response.result() != bhttp::status::ok) co_return core::make_error_code(Errc::not_peerdrop);
  ExchangeResponse out;
  out.body = std::move(response.body());
  out.ack = parse_number(response["X-PeerDrop-Ack"]);
  out.cannot_reach_you = response["X-PeerDrop-Cannot-Reach-You"] == "1";
  co_return out;
}

}  // namespace peerdrop::signaling
