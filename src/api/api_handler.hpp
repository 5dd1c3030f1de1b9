#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <functional>
#include <optional>
#include <string>

#include "api/file_library.hpp"
#include "api/json_response.hpp"
#include "api/peer_directory.hpp"
#include "api/settings_access.hpp"
#include "api/signal_endpoint.hpp"
#include "core/logging.hpp"
#include "http/local_request_policy.hpp"
#include "http/rate_limiter.hpp"
#include "http/static_assets.hpp"

namespace peerdrop::api {

struct ClientInfo {
  std::string ip;  // the TCP peer's address
};

// The answer to one request: a response, and for a download the file whose
// bytes follow its headers (the response then has a Content-Length and no body).
struct Reply {
  Reply() = default;
  Reply(Response r) : response(std::move(r)) {}  // NOLINT(google-explicit-constructor): every JSON answer is one
  Reply(Response r, transfer::UniqueFd f, std::uint64_t size)
      : response(std::move(r)), file(std::move(f)), file_size(size) {}

  Response response;
  transfer::UniqueFd file;  // when open: stream file_size bytes of it from offset 0 (the Content-Length)
  std::uint64_t file_size = 0;
};

// Turns one parsed HTTP request into one response. It holds no socket, so it
// is tested (and fuzzed) without a network; the HTTP server feeds it.
class ApiHandler {
 public:
  ApiHandler(PeerDirectory& directory, const http::LocalRequestPolicy& policy, http::RateLimiter& limiter,
             const http::StaticAssets& assets, core::Logger logger);

  // Both arguments must outlive the returned awaitable (the caller co_awaits it at once).
  // (Taken by reference: g++ 12 mis-copies class-type coroutine parameters.)
  boost::asio::awaitable<Reply> handle(const Request& request, const ClientInfo& client);

  // For a WebSocket upgrade request: nothing if it may become the UI's
  // WebSocket (GET /ws, local, same Host and a same-origin Origin), else the
  // refusal to send.
  std::optional<Response> check_websocket(const Request& request, const ClientInfo& client) const;
  // POST /api/signal goes here (open to other daemons).
  void set_signal_endpoint(SignalEndpoint* endpoint) { signal_endpoint_ = endpoint; }
  // GET and PUT /api/settings go here (control endpoints).
  void set_settings(SettingsAccess* settings) { settings_ = settings; }
  // Other daemons' endpoints (health, signal) get their own, more generous,
  // limit: one busy signaling exchange must not lock a peer out of its probes.
  void set_peer_rate_limiter(http::RateLimiter* limiter) { peer_limiter_ = limiter; }
  // GET /api/files and GET /api/files/download go here (control endpoints).
  void set_file_library(FileLibrary* files) { files_ = files; }
  // GET /api/health adds "relay": status() (the managed TURN relay's state, also when it is off).
  void set_relay_status(std::function<boost::json::object()> status) { relay_status_ = std::move(status); }
  // Whether this daemon holds valid credentials for a peer's relay: its "relay":"ready" in the peer list.
  void set_relay_ready(std::function<bool(const std::string& peer_id)> ready) { relay_ready_ = std::move(ready); }

 private:
  Response health(const Request& request, const ClientInfo& client);
  Response peers_list();
  boost::asio::awaitable<Response> peers_add(const Request& request);
  Response peers_forget(std::string_view id);
  Response settings_change(const Request& request);
  Response static_file(const Request& request);
  Reply download(const Request& request);

  PeerDirectory& directory_;
  const http::LocalRequestPolicy& policy_;
  http::RateLimiter& limiter_;
  const http::StaticAssets& assets_;
  core::Logger logger_;
  SignalEndpoint* signal_endpoint_ = nullptr;
  SettingsAccess* settings_ = nullptr;
  http::RateLimiter* peer_limiter_ = nullptr;
  FileLibrary* files_ = nullptr;
  std::function<boost::json::object()> relay_status_;
  std::function<bool(const std::string&)> relay_ready_;
};

}  // namespace peerdrop::api
