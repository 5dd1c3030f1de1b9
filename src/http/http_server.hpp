#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "http/api_handler.hpp"
#include "core/logging.hpp"
#include "http/http_config.hpp"
#include "http/local_request_policy.hpp"

namespace peerdrop::http {

// Accepts connections and runs one coroutine per connection that reads
// requests through a size-limited parser with deadlines, hands them to the
// ApiHandler and writes the answers. Knows its live connections, so stop()
// closes them all instead of killing the event loop.
class HttpServer {
 public:
  // Takes over a connection whose request asked for (and may have) a WebSocket.
  using Upgrader = std::function<void(boost::asio::ip::tcp::socket, Request)>;
  // Takes over a connection whose first bytes were a TLS ClientHello (a
  // daemon channel, on the same port); `already_read` are those bytes.
  using TlsHandoff = std::function<void(boost::asio::ip::tcp::socket, std::vector<std::uint8_t> already_read)>;

  // A socket bound to config.bind:config.port and listening (port 0 picks a
  // free port: local_endpoint() tells which). Throws core::StartupError.
  static boost::asio::ip::tcp::acceptor bind(boost::asio::io_context& io, const HttpConfig& config);

  // Serves connections accepted on `acceptor` (made by bind) once started.
  // `policy` tells this machine's own clients, which other hosts cannot crowd out.
  HttpServer(boost::asio::io_context& io, const HttpConfig& config, boost::asio::ip::tcp::acceptor acceptor,
             const LocalRequestPolicy& policy, ApiHandler& handler, Upgrader upgrader, TlsHandoff tls_handoff,
             core::Logger logger);

  std::uint16_t port() const { return port_; }
  void start();
  // Closes the acceptor and every connection (their coroutines end by themselves).
  void stop();
  std::size_t connection_count() const { return registry_->sockets.size(); }

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket socket);
  // Streams a page's file upload (its header is read) into the handler; false if the connection ends.
  boost::asio::awaitable<bool> receive_upload(boost::beast::tcp_stream& stream, boost::beast::flat_buffer& buffer,
                                              boost::beast::http::request_parser<boost::beast::http::string_body>& header,
                                              const ClientInfo& client);
  static constexpr std::size_t kUploadChunkBytes = 256 * 1024;

  boost::asio::io_context& io_;
  const HttpConfig& config_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_;
  const LocalRequestPolicy& policy_;
  ApiHandler& handler_;
  Upgrader upgrader_;
  TlsHandoff tls_handoff_;
  core::Logger logger_;
  // The live connections. Shared with the sessions, so a session frame that
  // is destroyed after the server (a forced stop) still unregisters safely.
  struct Registry {
    std::set<boost::asio::ip::tcp::socket*> sockets;
    std::map<std::string, std::size_t> per_client;
  };
  std::shared_ptr<Registry> registry_ = std::make_shared<Registry>();
  bool stopped_ = false;
};

}  // namespace peerdrop::http
