#include "http/api_handler.hpp"

#include <sys/stat.h>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include "core/error_text.hpp"
#include "core/json_fields.hpp"
#include "discovery/peer_json.hpp"
#include "identity/peer_id.hpp"
#include "settings/settings_parser.hpp"
#include "transfer/file_name_sanitizer.hpp"
#include "transfer/received_file_json.hpp"

namespace peerdrop::http {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

namespace {

// 'wasm-unsafe-eval' lets the page compile WebAssembly (the sender's SHA-256);
// it allows no JavaScript eval.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; img-src 'self' data: blob:; "
    "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

Response unauthorized() {
  auto response = error_response(bhttp::status::unauthorized, "unauthorized",
                                 "this request does not carry PeerDrop's key: open PeerDrop with the link its "
                                 "daemon printed at start (it ends in #token=…), or run peerdrop open");
  response.set(bhttp::field::www_authenticate, "Bearer realm=\"PeerDrop\"");
  return response;
}

Response method_not_allowed(std::string_view allow) {
  auto response = error_response(bhttp::status::method_not_allowed, "method_not_allowed",
                                 "this endpoint does not take that method");
  response.set(bhttp::field::allow, allow);
  return response;
}

// RFC 6266 / RFC 8187: a plain fallback name for old clients, and the real one percent-encoded as UTF-8.
std::string content_disposition(std::string_view file_name) {
  std::string fallback;
  std::string encoded;
  for (const char c : file_name) {
    const auto u = static_cast<unsigned char>(c);
    fallback.push_back(u >= 0x20 && u < 0x7f && c != '"' && c != '\\' && c != '%' ? c : '_');
    const bool attr_char = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                           std::string_view("!#$&+-.^_`|~").find(c) != std::string_view::npos;
    if (attr_char) {
      encoded.push_back(c);
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      encoded += {'%', kHex[u >> 4], kHex[u & 0x0f]};
    }
  }
  return "attachment; filename=\"" + fallback + "\"; filename*=UTF-8''" + encoded;
}

// Everything under /api/ answers only the local UI, except what other daemons call.
bool is_control_path(std::string_view path) {
  return path.starts_with("/api/") && path != "/api/health";
}

}  // namespace

ApiHandler::ApiHandler(ApiServices services, const LocalRequestPolicy& policy, const ControlToken& token,
                       core::RateLimiter& limiter, core::RateLimiter& peer_limiter, const StaticAssets& assets,
                       core::Logger logger)
    : services_(std::move(services)),
      messages_api_(services_.messages),
      policy_(policy),
      token_(token),
      limiter_(limiter),
      peer_limiter_(peer_limiter),
      assets_(assets),
      logger_(std::move(logger)),
      transfers_(services_.lane) {}

asio::awaitable<Reply> ApiHandler::handle(const Request& request, const ClientInfo& client) {
  const auto url = boost::urls::parse_origin_form(request.target());
  const std::string path = url ? url->path() : std::string();
  auto reply = co_await route(request, client, path);
  // No other site's page may embed or read what a control endpoint answers (an <img> of a download, say).
  if (is_control_path(path)) reply.response.set("Cross-Origin-Resource-Policy", "same-origin");
  // Links may carry the control token in their query: no page of ours tells another site where it came from.
  reply.response.set("Referrer-Policy", "no-referrer");
  co_return reply;
}

asio::awaitable<Reply> ApiHandler::route(const Request& request, const ClientInfo& client, const std::string& path) {
  const auto url = boost::urls::parse_origin_form(request.target());
  const bool local = policy_.is_local_client(client.ip);
  auto& limiter = path == "/api/health" ? peer_limiter_ : limiter_;
  if (!local && !limiter.allow(client.ip)) {
    auto response = error_response(bhttp::status::too_many_requests, "rate_limited",
                                   "too many requests from this address; slow down");
    response.set(bhttp::field::retry_after, std::to_string(limiter.retry_after_seconds(client.ip)));
    co_return response;
  }
  if (!url) co_return error_response(bhttp::status::bad_request, "bad_request", "the request target is malformed");
  const auto method = request.method();

  if (is_control_path(path)) {
    if (auto refused = refuse_control(request, client, path)) co_return std::move(*refused);
  }

  if (path == "/api/health") {
    if (method != bhttp::verb::get) co_return method_not_allowed("GET");
    co_return health();
  }
  if (path == "/api/peers") {
    if (method == bhttp::verb::get) co_return peers_list();
    if (method == bhttp::verb::post) co_return co_await peers_add(request);
    co_return method_not_allowed("GET, POST");
  }
  if (path.starts_with("/api/peers/")) {
    const auto id = std::string_view(path).substr(std::string_view("/api/peers/").size());
    if (method == bhttp::verb::delete_) co_return peers_forget(id);
    if (method == bhttp::verb::put) co_return peers_confirm(id, request);
    co_return method_not_allowed("DELETE, PUT");
  }
  if (path == "/api/scan") {
    auto& directory = services_.directory;
    if (method == bhttp::verb::get) co_return json_response(bhttp::status::ok, to_json(directory.scan_status()));
    if (method == bhttp::verb::post) co_return json_response(bhttp::status::accepted, to_json(directory.start_scan()));
    co_return method_not_allowed("GET, POST");
  }
  if (path == "/api/settings") {
    if (method == bhttp::verb::get) {
      co_return json_response(bhttp::status::ok, settings::to_json(services_.settings.current()));
    }
    if (method == bhttp::verb::put) co_return settings_change(request);
    co_return method_not_allowed("GET, PUT");
  }
  if (path == "/api/files") {
    if (method != bhttp::verb::get) co_return method_not_allowed("GET");
    co_return json_response(bhttp::status::ok, to_json(services_.files.recent_files()));
  }
  if (path == "/api/files/download") {
    if (method != bhttp::verb::get && method != bhttp::verb::head) co_return method_not_allowed("GET, HEAD");
    co_return download(request);
  }
  if (TransferRoutes::handles(path)) co_return transfers_.route(request, path);
  if (MessagesApi::serves(path)) co_return messages_api_.handle(request, path);
  if (path.starts_with("/api/")) {
    co_return error_response(bhttp::status::not_found, "not_found", "there is no such API endpoint");
  }
  if (method != bhttp::verb::get && method != bhttp::verb::head) co_return method_not_allowed("GET, HEAD");
  co_return static_file(request);
}

std::optional<Response> ApiHandler::refuse_control(const Request& request, const ClientInfo& client,
                                                   std::string_view path) const {
  // A browser says when another site's page made the request; cross-site
  // GETs (an <img>, a <script>) carry no Origin, so this is the one sign of them.
  if (request["Sec-Fetch-Site"] == "cross-site") {
    logger_->debug("refused {} {} from {}: made by another site's page", request.method_string(), path, client.ip);
    return error_response(bhttp::status::forbidden, "forbidden",
                          "this endpoint answers PeerDrop's own page only, not another site's");
  }
  const auto origin = request.find(bhttp::field::origin);
  const auto refused = policy_.refuse_reason(
      client.ip, request[bhttp::field::host],
      origin == request.end() ? std::nullopt : std::optional<std::string_view>(origin->value()));
  if (refused) {
    logger_->debug("refused {} {} from {}: {}", request.method_string(), path, client.ip, *refused);
    return error_response(bhttp::status::forbidden, "forbidden", *refused);
  }
  // Another Unix user of this machine is local too; only the token's reader is this user.
  if (!token_.presented_by(request)) {
    logger_->info("refused {} {} from {}: no valid control token (another user or program of this machine?)",
                  request.method_string(), path, client.ip);
    return unauthorized();
  }
  return std::nullopt;
}

bool ApiHandler::is_upload(const Request& header) {
  const auto url = boost::urls::parse_origin_form(header.target());
  return url && TransferRoutes::is_upload(header, url->path());
}

std::variant<TransferRoutes::Upload, Response> ApiHandler::begin_upload(const Request& header,
                                                                       const ClientInfo& client) {
  const auto url = boost::urls::parse_origin_form(header.target());
  const std::string path = url->path();
  if (auto refused = refuse_control(header, client, path)) return std::move(*refused);
  return transfers_.begin_upload(header, path);
}

std::optional<Response> ApiHandler::check_websocket(const Request& request, const ClientInfo& client) const {
  const auto url = boost::urls::parse_origin_form(request.target());
  if (!url || url->path() != "/ws") {
    return error_response(bhttp::status::not_found, "not_found", "WebSocket connections are served at /ws only");
  }
  // Browsers always send Origin with a WebSocket; a local program that is not
  // a browser may leave it out (it could reach the daemon anyway).
  const auto origin = request.find(bhttp::field::origin);
  if (const auto refused = policy_.refuse_reason(
          client.ip, request[bhttp::field::host],
          origin == request.end() ? std::nullopt : std::optional<std::string_view>(origin->value()))) {
    logger_->debug("refused a WebSocket from {}: {}", client.ip, *refused);
    return error_response(bhttp::status::forbidden, "forbidden", *refused);
  }
  if (!token_.presented_by(request)) {
    logger_->info("refused a WebSocket from {}: no valid control token (another user or program of this machine?)",
                  client.ip);
    return unauthorized();
  }
  return std::nullopt;
}

Response ApiHandler::health() {
  // Anyone may ask (other daemons scan for it); it changes nothing.
  auto body = to_json(services_.directory.health());
  if (auto relay = services_.relay_status ? services_.relay_status() : std::nullopt) {
    body.as_object()["relay"] = std::move(*relay);
  }
  return json_response(bhttp::status::ok, body);
}

Response ApiHandler::peers_list() {
  boost::json::array peers;
  for (const auto& peer : services_.directory.peers()) peers.push_back(to_json(peer, relay_ready(peer.id)));
  return json_response(bhttp::status::ok, peers);
}

asio::awaitable<Response> ApiHandler::peers_add(const Request& request) {
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = 8;
  const auto body = boost::json::parse(request.body(), ec, {}, options);
  const auto* address = !ec && body.is_object() ? body.get_object().if_contains("address") : nullptr;
  if (!address || !address->is_string()) {
    co_return error_response(bhttp::status::bad_request, "bad_request",
                             "send a JSON object like {\"address\":\"198.51.100.7:3001\"}");
  }
  auto result = co_await services_.directory.add_manual_peer(std::string(address->get_string()));
  if (result.peer) co_return json_response(bhttp::status::created, to_json(*result.peer, relay_ready(result.peer->id)));
  co_return error_response(result.code == "bad_request" ? bhttp::status::bad_request : bhttp::status::bad_gateway,
                           result.code, result.message);
}

Response ApiHandler::peers_forget(std::string_view id) {
  if (!identity::looks_like_peer_id(id) || !services_.directory.forget_peer(std::string(id))) {
    return error_response(bhttp::status::not_found, "not_found", "no peer with that id is known");
  }
  Response response(bhttp::status::no_content, 11);
  response.prepare_payload();
  return response;
}

Response ApiHandler::peers_confirm(std::string_view id, const Request& request) {
  if (!identity::looks_like_peer_id(id)) {
    return error_response(bhttp::status::not_found, "not_found", "no peer with that id is known");
  }
  // Exactly {"confirmed": true|false}: a field this version does not know is refused, not ignored.
  const auto body = core::parse_json(request.body(), 4);
  const auto* object = body && body->is_object() ? &body->get_object() : nullptr;
  const auto confirmed = object ? core::bool_field(*object, "confirmed") : std::nullopt;
  if (!confirmed || object->size() != 1) {
    return error_response(bhttp::status::bad_request, "bad_request",
                          "send {\"confirmed\":true} to mark the peer verified or {\"confirmed\":false} to take it back");
  }
  auto result = services_.directory.set_confirmed(std::string(id), *confirmed);
  if (result.peer) return json_response(bhttp::status::ok, to_json(*result.peer, relay_ready(result.peer->id)));
  return error_response(result.code == "not_verified" ? bhttp::status::conflict : bhttp::status::not_found,
                        result.code, result.message);
}

Response ApiHandler::settings_change(const Request& request) {
  auto parsed = settings::parse_settings_update(request.body());
  if (parsed.update) {
    // "secretSet": true keeps a TURN shared secret the page was never shown.
    if (auto problem = settings::resolve_kept_secrets(*parsed.update, services_.settings.current())) {
      parsed = settings::ParsedSettingsUpdate{.error = std::move(*problem)};
    }
  }
  if (!parsed.update) {
    if (parsed.error.field.empty()) {
      return error_response(bhttp::status::bad_request, "bad_request", parsed.error.message);
    }
    return error_response(bhttp::status::bad_request, "bad_request", parsed.error.message, parsed.error.field);
  }
  if (const auto ec = services_.settings.change(*parsed.update)) {
    const auto [code, sentence] = core::error_text(ec);
    return error_response(bhttp::status::internal_server_error, code, "the settings could not be saved: " + sentence);
  }
  return json_response(bhttp::status::ok, settings::to_json(services_.settings.current()));
}

Reply ApiHandler::download(const Request& request) {
  // ?name=<relative path>, as GET /api/files lists it. Only a name the
  // sanitizer gives back unchanged can be one of ours (so nothing absolute,
  // no "..", nothing hidden such as the partial folder); it is resolved from
  // the download folder's descriptor, never through a link.
  const auto url = boost::urls::parse_origin_form(request.target());
  const auto params = url->params();
  const auto name = params.find("name");
  if (name == params.end() || !(*name).has_value) {
    return error_response(bhttp::status::bad_request, "bad_request",
                          "say which file: /api/files/download?name=<relative path>");
  }
  const std::string wanted = (*name).value;
  const auto path = transfer::FileNameSanitizer::sanitize(wanted);
  if (!path || path->string() != wanted) {
    return error_response(bhttp::status::not_found, "not_found", "there is no such file in the download folder");
  }
  auto file = services_.files.open_file(*path);
  struct stat status {};
  if (!file || ::fstat(file->get(), &status) != 0) {
    return error_response(bhttp::status::not_found, "not_found", "there is no such file in the download folder");
  }
  Response response(bhttp::status::ok, 11);
  response.set(bhttp::field::content_type, "application/octet-stream");
  response.set(bhttp::field::content_disposition, content_disposition(path->file_name()));
  response.set(bhttp::field::cache_control, "no-store");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Content-Security-Policy", "default-src 'none'; sandbox");
  response.content_length(static_cast<std::uint64_t>(status.st_size));
  return Reply(std::move(response), std::move(*file), static_cast<std::uint64_t>(status.st_size));
}

Response ApiHandler::static_file(const Request& request) {
  const auto url = boost::urls::parse_origin_form(request.target());
  const std::string path = url ? url->path() : std::string("/");
  const auto asset = assets_.find(path);
  if (!asset) return error_response(bhttp::status::not_found, "not_found", "there is no such page");
  Response response(bhttp::status::ok, 11);
  response.set(bhttp::field::content_type, asset->content_type);
  response.set("Content-Security-Policy", kContentSecurityPolicy);
  response.set("X-Content-Type-Options", "nosniff");
  response.set(bhttp::field::cache_control, asset->path == "/index.html" ? "no-cache" : "public, max-age=3600");
  response.body() = std::string(asset->bytes);  // (the server sends only the headers for HEAD)
  response.prepare_payload();
  return response;
}

}  // namespace peerdrop::http
