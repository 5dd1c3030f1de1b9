#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <variant>

#include "core/logging.hpp"
#include "core/rate_limiter.hpp"
#include "core/unique_fd.hpp"
#include "discovery/peer_directory.hpp"
#include "http/control_token.hpp"
#include "http/json_response.hpp"
#include "http/local_request_policy.hpp"
#include "http/messages_api.hpp"
#include "http/static_assets.hpp"
#include "http/transfer_routes.hpp"
#include "lane/lane_control.hpp"
#include "settings/settings_access.hpp"
#include "transfer/file_library.hpp"

namespace peerdrop::http {

struct ClientInfo {
  std::string ip;  // the TCP peer's address
};

// The answer to one request: a response, and for a download the file whose
// bytes follow its headers (the response then has a Content-Length and no body).
struct Reply {
  Reply() = default;
  Reply(Response r) : response(std::move(r)) {}  // NOLINT(google-explicit-constructor): every JSON answer is one
  Reply(Response r, core::UniqueFd f, std::uint64_t size)
      : response(std::move(r)), file(std::move(f)), file_size(size) {}

  Response response;
  core::UniqueFd file;  // when open: stream file_size bytes of it from offset 0 (the Content-Length)
  std::uint64_t file_size = 0;
};

// What the API answers from: the domain modules, through their ports.
struct ApiServices {
  discovery::PeerDirectory& directory;
  settings::SettingsAccess& settings;       // GET and PUT /api/settings
  transfer::FileLibrary& files;             // GET /api/files and /api/files/download
  lane::LaneControl& lane;                  // /api/transfers and /api/offers
  // GET /api/health's "relay": the managed TURN relay's state, also when it is off (the daemon's always is).
  std::function<std::optional<boost::json::object>()> relay_status;
  // Whether this daemon holds valid credentials for a peer's relay: its "relay":"ready" in the peer list.
  std::function<bool(const std::string& peer_id)> relay_ready;
  messages::MessageAccess& messages;        // /api/messages (MessagesApi)
};

// Turns one parsed HTTP request into one response. It holds no socket, so it
// is tested (and fuzzed) without a network; the HTTP server feeds it.
class ApiHandler {
 public:
  // `peer_limiter` limits GET /api/health (other daemons' scans), more generously than the rest.
  // Control endpoints and the WebSocket need `token` besides a local client of this daemon.
  ApiHandler(ApiServices services, const LocalRequestPolicy& policy, const ControlToken& token,
             core::RateLimiter& limiter, core::RateLimiter& peer_limiter, const StaticAssets& assets,
             core::Logger logger);

  // Both arguments must outlive the returned awaitable (the caller co_awaits it at once).
  // (Taken by reference: g++ 12 mis-copies class-type coroutine parameters.)
  boost::asio::awaitable<Reply> handle(const Request& request, const ClientInfo& client);

  // For a WebSocket upgrade request: nothing if it may become the UI's
  // WebSocket (GET /ws, local, same Host, a same-origin Origin and the
  // control token), else the refusal to send.
  std::optional<Response> check_websocket(const Request& request, const ClientInfo& client) const;

  // A page's file upload (PUT /api/transfers/TID/files/I): the server reads
  // its header, asks begin_upload (the control checks, then TransferRoutes),
  // streams the body into upload() and answers finish_upload().
  static bool is_upload(const Request& header);
  std::variant<TransferRoutes::Upload, Response> begin_upload(const Request& header, const ClientInfo& client);
  boost::system::error_code upload(const TransferRoutes::Upload& upload, std::uint64_t offset,
                                   std::span<const std::uint8_t> bytes) {
    return transfers_.upload(upload, offset, bytes);
  }
  Response finish_upload(const TransferRoutes::Upload& upload, const boost::system::error_code& error) {
    return transfers_.finish_upload(upload, error);
  }

 private:
  // The refusal of a control request (another site's page, not local, no token), if it is refused.
  std::optional<Response> refuse_control(const Request& request, const ClientInfo& client,
                                         std::string_view path) const;
  boost::asio::awaitable<Reply> route(const Request& request, const ClientInfo& client, const std::string& path);
  Response health();
  Response peers_list();
  boost::asio::awaitable<Response> peers_add(const Request& request);
  Response peers_forget(std::string_view id);
  Response peers_confirm(std::string_view id, const Request& request);
  Response settings_change(const Request& request);
  Response static_file(const Request& request);
  Reply download(const Request& request);
  bool relay_ready(const std::string& peer_id) const { return services_.relay_ready && services_.relay_ready(peer_id); }

  ApiServices services_;
  MessagesApi messages_api_;
  const LocalRequestPolicy& policy_;
  const ControlToken& token_;
  core::RateLimiter& limiter_;
  core::RateLimiter& peer_limiter_;
  const StaticAssets& assets_;
  core::Logger logger_;
  TransferRoutes transfers_;
};

}  // namespace peerdrop::http
