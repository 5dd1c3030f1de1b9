#include "discovery/health_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "core/base64.hpp"
#include "core/errc.hpp"
#include "identity/peer_id.hpp"

namespace peerdrop::discovery {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {
constexpr std::size_t kMaxAnswerBytes = 4096;
}

HealthClient::HealthClient(asio::any_io_executor executor) : executor_(std::move(executor)) {}

boost::system::result<Announcement> HealthClient::parse_health_body(std::string_view body, bool* relay) {
  using core::Errc;
  if (body.size() > kMaxAnswerBytes) return core::make_error_code(Errc::too_large);
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = 4;
  const auto json = boost::json::parse(body, ec, {}, options);
  if (ec || !json.is_object()) return core::make_error_code(Errc::not_peerdrop);
  const auto& object = json.get_object();
  const auto* status = object.if_contains("status");
  const auto* id = object.if_contains("id");
  const auto* packet = object.if_contains("announcement");
  if (!status || !status->is_string() || status->get_string() != "ok" || !id || !id->is_string() || !packet ||
      !packet->is_string()) {
    return core::make_error_code(Errc::not_peerdrop);
  }
  const auto bytes = core::base64_decode(packet->get_string(), Announcement::kMaxPacketSize);
  if (!bytes) return core::make_error_code(Errc::malformed);
  auto announcement = decode_announcement(*bytes);
  if (!announcement) return announcement.error();
  if (identity::derive_peer_id(announcement->public_key) != std::string_view(id->get_string())) {
    return core::make_error_code(Errc::identity_mismatch);
  }
  if (relay) {
    // {"relay":{"state":"running","port":3478}} (with --turn); anything else is no relay.
    const auto* field = object.if_contains("relay");
    const auto* state = field && field->is_object() ? field->get_object().if_contains("state") : nullptr;
    *relay = announcement->offers_relay() || (state && state->is_string() && state->get_string() == "running");
  }
  return announcement;
}

asio::awaitable<boost::system::result<HealthAnswer>> HealthClient::probe(asio::ip::tcp::endpoint endpoint,
                                                                         std::chrono::milliseconds connect_timeout,
                                                                         std::chrono::milliseconds total_timeout) {
  using core::Errc;
  beast::tcp_stream stream(executor_);
  const auto registration = streams_.track(stream);
  stream.expires_after(connect_timeout);
  auto [connect_ec] = co_await stream.async_connect(endpoint, asio::as_tuple(asio::use_awaitable));
  if (connect_ec) {
    co_return connect_ec == beast::error::timeout ? core::make_error_code(Errc::timeout) : connect_ec;
  }
  stream.expires_after(total_timeout);

  http::request<http::empty_body> request(http::verb::get, "/api/health", 11);
  const auto host = endpoint.address().is_v6() ? "[" + endpoint.address().to_string() + "]"
                                               : endpoint.address().to_string();
  request.set(http::field::host, host + ":" + std::to_string(endpoint.port()));
  request.set(http::field::user_agent, "peerdropd/" PEERDROP_VERSION);
  request.keep_alive(false);
  auto [write_ec, written] = co_await http::async_write(stream, request, asio::as_tuple(asio::use_awaitable));
  if (write_ec) co_return write_ec == beast::error::timeout ? core::make_error_code(Errc::timeout) : write_ec;

  beast::flat_buffer buffer(kMaxAnswerBytes * 2);
  http::response_parser<http::string_body> parser;
  parser.header_limit(kMaxAnswerBytes);
  parser.body_limit(kMaxAnswerBytes);
  auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
  boost::system::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  if (read_ec) co_return read_ec == beast::error::timeout ? core::make_error_code(Errc::timeout) : read_ec;
  if (parser.get().result() != http::status::ok) co_return core::make_error_code(Errc::not_peerdrop);

  bool relay = false;
  auto announcement = parse_health_body(parser.get().body(), &relay);
  if (!announcement) co_return announcement.error();
  co_return HealthAnswer{std::move(*announcement), endpoint.address().to_string(), relay};
}

}  // namespace peerdrop::discovery
