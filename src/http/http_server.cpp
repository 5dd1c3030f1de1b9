#include "http/http_server.hpp"

#include <boost/beast/http/buffer_body.hpp>
#include <tuple>

#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <sstream>
#include <vector>

#include "core/fd_io.hpp"
#include "core/startup_error.hpp"

namespace peerdrop::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::ip::tcp;

namespace {

constexpr std::size_t kMaxDrainBytes = 4 * 1024 * 1024;
constexpr std::uint64_t kFileChunkBytes = 256 * 1024;  // one read and one write of a download

const std::string& busy_response() {
  static const std::string text = [] {
    auto response = error_response(bhttp::status::service_unavailable, "busy",
                                        "too many connections; try again shortly");
    response.keep_alive(false);
    std::ostringstream out;
    out << response;
    return out.str();
  }();
  return text;
}

// The answer for a request that could not be read, or nothing if the
// connection is to be closed without one.
std::optional<Response> read_error_response(const boost::system::error_code& ec) {
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
    return std::nullopt;  // the client closed the connection: nobody to answer
  }
  if (ec == bhttp::error::body_limit) {
    return error_response(bhttp::status::payload_too_large, "payload_too_large",
                               "the request body is larger than this endpoint accepts");
  }
  if (ec == bhttp::error::header_limit) {
    return error_response(bhttp::status::request_header_fields_too_large, "header_too_large",
                               "the request headers are too large");
  }
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
    return error_response(bhttp::status::bad_request, "bad_request", "the request is not valid HTTP/1.1");
  }
  return std::nullopt;  // timeout, reset, end of stream: nobody to answer
}

// Writes `response`; whether the connection goes on (written, and `keep_alive`).
asio::awaitable<bool> write_response(beast::tcp_stream& stream, Response& response, bool keep_alive,
                                     std::chrono::milliseconds write_timeout) {
  response.keep_alive(keep_alive);
  stream.expires_after(write_timeout);
  auto [write_ec, written] = co_await bhttp::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
  co_return !write_ec && keep_alive;
}

// Writes `reply`'s headers and then its file; false if the connection cannot go on.
asio::awaitable<bool> send_file(beast::tcp_stream& stream, const Reply& reply, bool head_only,
                                std::chrono::milliseconds write_timeout, const core::Logger& logger) {
  // The headers, then the file in bounded reads, each write with its own
  // deadline: a large file takes as long as it takes, a stalled client does not.
  bhttp::response<bhttp::empty_body> header_only(reply.response.base());
  bhttp::response_serializer<bhttp::empty_body> serializer(header_only);
  stream.expires_after(write_timeout);
  auto [header_ec, header_bytes] =
      co_await bhttp::async_write_header(stream, serializer, asio::as_tuple(asio::use_awaitable));
  if (header_ec || head_only) co_return !header_ec;
  const std::uint64_t size = reply.file_size;
  std::vector<char> chunk(std::min<std::uint64_t>(size, kFileChunkBytes));
  std::uint64_t sent = 0;
  while (sent < size) {
    const auto n = core::pread_all(
        reply.file.get(), std::as_writable_bytes(std::span(chunk.data(), std::min<std::uint64_t>(chunk.size(), size - sent))),
        static_cast<off_t>(sent));
    if (!n || *n == 0) {
      // Shorter than when it was opened (changed meanwhile): the promised length cannot be kept.
      logger->warn("a download ended early: the file changed while it was sent");
      co_return false;
    }
    stream.expires_after(write_timeout);
    auto [write_ec, written] =
        co_await asio::async_write(stream, asio::buffer(chunk.data(), *n), asio::as_tuple(asio::use_awaitable));
    if (write_ec) co_return false;
    sent += *n;
  }
  co_return true;
}

}  // namespace

tcp::acceptor HttpServer::bind(asio::io_context& io, const HttpConfig& config) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(config.bind, ec);
  if (ec) throw core::StartupError("--bind " + config.bind + " is not an IP address");
  const tcp::endpoint endpoint(address, config.port);
  tcp::acceptor acceptor(io);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw core::StartupError("cannot listen on " + config.bind + ":" + std::to_string(config.port) + " (" +
                             ec.message() + "); is another peerdropd running? choose another --port");
  }
  return acceptor;
}

HttpServer::HttpServer(asio::io_context& io, const HttpConfig& config, tcp::acceptor acceptor,
                       const LocalRequestPolicy& policy, ApiHandler& handler, Upgrader upgrader,
                       TlsHandoff tls_handoff, core::Logger logger)
    : io_(io),
      config_(config),
      acceptor_(std::move(acceptor)),
      port_(acceptor_.local_endpoint().port()),
      policy_(policy),
      handler_(handler),
      upgrader_(std::move(upgrader)),
      tls_handoff_(std::move(tls_handoff)),
      logger_(std::move(logger)) {}

void HttpServer::start() { asio::co_spawn(io_, accept_loop(), core::log_exceptions(logger_, "HTTP acceptor")); }

void HttpServer::stop() {
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for (auto* socket : registry_->sockets) socket->close(ignored);
}

asio::awaitable<void> HttpServer::accept_loop() {
  while (!stopped_) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
    if (stopped_) co_return;
    if (ec) {
      // EMFILE and friends: log and keep accepting; a closed acceptor ends the loop.
      if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) co_return;
      logger_->warn("accepting a connection failed: {}", ec.message());
      continue;
    }
    boost::system::error_code peer_ec;
    const auto client = socket.remote_endpoint(peer_ec).address().to_string();
    if (peer_ec) continue;
    const auto& per_client = registry_->per_client;
    const auto it = per_client.find(client);
    const std::size_t from_client = it == per_client.end() ? 0 : it->second;
    // Other hosts share what this machine's own clients leave, less a reserve: they cannot lock its UI out.
    const bool local = policy_.is_local_client(client);
    const auto limit = local ? config_.max_connections
                             : config_.max_connections - std::min(config_.reserved_local_connections,
                                                                  config_.max_connections);
    if (registry_->sockets.size() >= limit || from_client >= config_.max_connections_per_client) {
      logger_->debug("refused a connection from {}: too many connections", client);
      socket.non_blocking(true, peer_ec);
      asio::write(socket, asio::buffer(busy_response()), peer_ec);
      socket.close(peer_ec);
      continue;
    }
    socket.set_option(tcp::no_delay(true), peer_ec);  // answers (and WebSocket frames) leave at once
    asio::co_spawn(io_, session(std::move(socket)), core::log_exceptions(logger_, "HTTP connection"));
  }
}

asio::awaitable<void> HttpServer::session(tcp::socket socket) {
  boost::system::error_code ec;
  const auto client = socket.remote_endpoint(ec).address().to_string();
  beast::tcp_stream stream(std::move(socket));
  // Registered while alive, so stop() can close it; unregistered on every exit path.
  struct Registration {
    std::shared_ptr<Registry> registry;
    tcp::socket* socket;
    std::string client;
    Registration(std::shared_ptr<Registry> r, tcp::socket* s, std::string c)
        : registry(std::move(r)), socket(s), client(std::move(c)) {
      registry->sockets.insert(socket);
      ++registry->per_client[client];
    }
    ~Registration() {
      registry->sockets.erase(socket);
      if (--registry->per_client[client] == 0) registry->per_client.erase(client);
    }
  } registration{registry_, &stream.socket(), client};

  beast::flat_buffer buffer(config_.header_limit + config_.body_limit);
  if (tls_handoff_) {
    // The same port carries the daemon channel: a TLS ClientHello goes there, anything else is HTTP.
    stream.expires_after(config_.request_timeout);
    auto [detect_ec, is_tls] = co_await beast::async_detect_ssl(stream, buffer, asio::as_tuple(asio::use_awaitable));
    if (!detect_ec && is_tls && !stopped_) {
      const auto bytes = buffer.data();
      std::vector<std::uint8_t> already_read(static_cast<const std::uint8_t*>(bytes.data()),
                                             static_cast<const std::uint8_t*>(bytes.data()) + bytes.size());
      stream.expires_never();
      tls_handoff_(stream.release_socket(), std::move(already_read));
      co_return;
    }
    if (detect_ec) {
      if (detect_ec == beast::error::timeout) logger_->debug("closed a connection from {}: nothing sent", client);
      stream.socket().close(ec);
      co_return;
    }
  }
  while (!stopped_) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(config_.header_limit));
    parser.body_limit(config_.body_limit);
    // The body limit is checked here, once the header says which request it is: an upload's
    // body streams to disk and may be as large as its file.
    parser.body_limit(boost::none);
    stream.expires_after(config_.request_timeout);
    auto [read_ec, read_bytes] =
        co_await bhttp::async_read_header(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (!read_ec && ApiHandler::is_upload(parser.get())) {
      // A page's file: its body streams to the transfer lane, never whole in memory.
      // (A named argument: g++ 12 mishandles temporaries bound to coroutine parameters.)
      const ClientInfo uploader{client};
      const bool go_on = co_await receive_upload(stream, buffer, parser, uploader);
      if (!go_on || stopped_) break;
      continue;
    }
    if (!read_ec && parser.content_length() && *parser.content_length() > config_.body_limit) {
      read_ec = bhttp::error::body_limit;
    }
    parser.body_limit(config_.body_limit);  // a chunked body's limit
    if (!read_ec && !parser.is_done()) {
      std::tie(read_ec, read_bytes) =
          co_await bhttp::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    }
    if (read_ec) {
      if (read_ec == beast::error::timeout) logger_->debug("closed a connection from {}: request too slow", client);
      if (auto response = read_error_response(read_ec); response && !stopped_) {
        response->keep_alive(false);
        stream.expires_after(config_.write_timeout);
        co_await bhttp::async_write(stream, *response, asio::as_tuple(asio::use_awaitable));
        // The client may still be sending the body we refused: read and drop
        // it for a moment, so our answer is not lost to a reset.
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream.expires_after(std::chrono::seconds(1));
        std::array<char, 16 * 1024> sink{};
        std::size_t drained = 0;
        while (drained < kMaxDrainBytes) {
          auto [drain_ec, n] = co_await stream.async_read_some(asio::buffer(sink), asio::as_tuple(asio::use_awaitable));
          if (drain_ec) break;
          drained += n;
        }
      }
      break;
    }
    const bool keep_alive = parser.get().keep_alive();
    auto request = parser.release();
    const ClientInfo client_info{client};
    if (beast::websocket::is_upgrade(request) && upgrader_) {
      if (auto refusal = handler_.check_websocket(request, client_info)) {
        refusal->keep_alive(false);
        stream.expires_after(config_.write_timeout);
        co_await bhttp::async_write(stream, *refusal, asio::as_tuple(asio::use_awaitable));
        break;
      }
      stream.expires_never();  // the WebSocket keeps its own timeouts
      upgrader_(stream.release_socket(), std::move(request));
      co_return;
    }
    stream.expires_never();  // the handler may hold a long-poll; the write gets its own deadline
    auto reply = co_await handler_.handle(request, client_info);
    if (stopped_) break;
    auto& response = reply.response;
    response.keep_alive(keep_alive);
    if (reply.file) {
      const bool sent =
          co_await send_file(stream, reply, request.method() == bhttp::verb::head, config_.write_timeout, logger_);
      if (!sent || !keep_alive) {
        break;
      }
      continue;
    }
    if (request.method() == bhttp::verb::head) {
      // The headers of a GET, no body (its bytes would be read as the next answer).
      const auto length = response.body().size();
      response.body().clear();
      response.content_length(length);
    }
    stream.expires_after(config_.write_timeout);
    auto [write_ec, written] = co_await bhttp::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
    if (write_ec || !keep_alive) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.socket().close(ec);
}

asio::awaitable<bool> HttpServer::receive_upload(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                                bhttp::request_parser<bhttp::string_body>& header,
                                                const ClientInfo& client) {
  const bool keep_alive = header.get().keep_alive();
  auto started = handler_.begin_upload(header.get(), client);
  boost::system::error_code ec;

  if (auto* refusal = std::get_if<Response>(&started)) {
    // Refused before its body: answered, and the connection closed (the body is not read).
    co_await write_response(stream, *refusal, false, config_.write_timeout);
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    co_return false;
  }
  const auto& upload = std::get<TransferRoutes::Upload>(started);
  const auto room = upload.size - upload.offset;  // not a byte past the file's end
  if (header.content_length() && *header.content_length() > room) {
    auto response = error_response(bhttp::status::payload_too_large, "too_large",
                                   "the body goes past the file's size");
    co_await write_response(stream, response, false, config_.write_timeout);
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    co_return false;
  }
  bhttp::request_parser<bhttp::buffer_body> parser(std::move(header));
  parser.body_limit(room);  // a chunked body's limit
  std::vector<std::uint8_t> chunk(kUploadChunkBytes);
  std::uint64_t offset = upload.offset;
  boost::system::error_code failed;
  while (!parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    stream.expires_after(config_.request_timeout);
    auto [read_ec, n] = co_await bhttp::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (read_ec == bhttp::error::need_buffer) read_ec = {};
    const auto got = chunk.size() - parser.get().body().size;
    if (got > 0 && !failed) {
      failed = handler_.upload(upload, offset, std::span(chunk.data(), got));
      offset += got;
    }
    if (read_ec) {
      if (read_ec == bhttp::error::body_limit) {
        auto response = error_response(bhttp::status::payload_too_large, "too_large",
                                       "the body goes past the file's size");
        co_await write_response(stream, response, false, config_.write_timeout);
      } else {
        logger_->debug("an upload of file {} of transfer {} stopped after {} bytes: {}", upload.index, upload.tid,
                       offset, read_ec.message());
      }
      co_return false;  // what arrived is kept: the page goes on from there
    }
    if (failed) break;
  }
  auto response = handler_.finish_upload(upload, failed);
  if (failed) {
    co_await write_response(stream, response, false, config_.write_timeout);
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    co_return false;
  }
  const bool go_on = co_await write_response(stream, response, keep_alive, config_.write_timeout);
  co_return go_on;
}

}  // namespace peerdrop::http
