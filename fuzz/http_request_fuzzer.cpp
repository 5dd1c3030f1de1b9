// Fuzzes the HTTP request path as src/http/http_server.cpp runs it: what a
// client sends on one connection goes through Beast's request parser with the
// daemon's limits (header first, then the body with the endpoint's limit), a
// WebSocket upgrade goes to ApiHandler::check_websocket, and every other
// complete request to ApiHandler::handle.
//
// Input: byte 0 picks the client and how its bytes arrive, the rest is what it sends.
//   bit 0:      0 = 127.0.0.1 (local), 1 = 198.51.100.9 (remote)
//   bit 1:      0 = all at once, 1 = in reads of 1 + (byte 0 >> 2) bytes
// So seeds start with '0' (local), '1' (remote), '2' (local, sliced) or '3' (remote, sliced).
#include <spdlog/sinks/null_sink.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/api_handler.hpp"
#include "discovery/announcement.hpp"
#include "fuzz_check.hpp"
#include "http/http_config.hpp"
#include "http/local_request_policy.hpp"
#include "core/rate_limiter.hpp"
#include "http/static_assets.hpp"
#include "identity/peer_id.hpp"
#include "support/fake_clock.hpp"
#include "support/fake_file_library.hpp"
#include "support/fake_lane_control.hpp"
#include "support/fake_message_access.hpp"
#include "support/fake_peer_directory.hpp"
#include "support/fake_settings.hpp"

namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using namespace peerdrop;

constexpr std::string_view kLocalClient = "127.0.0.1";
constexpr std::string_view kRemoteClient = "198.51.100.9";
constexpr std::string_view kOwnAddress = "198.51.100.2";  // Host: 198.51.100.2:3001 names this daemon
// A peer the directory knows: GET /api/peers lists it, DELETE /api/peers/<it> forgets it, PUT
// /api/peers/<it> marks it verified (a handshake proved its key).
constexpr std::string_view kKnownPeerId = "KNOWNPEERKNOWNPEERKNOWNPEERKNOWNPEERKNOWNPEERKNOWNPE";
static_assert(kKnownPeerId.size() == 52);
// A peer only heard of (no handshake yet): PUT /api/peers/<it> with {"confirmed":true} answers 409.
constexpr std::string_view kUnprovenPeerId = "UNPROVENPEERUNPROVENPEERUNPROVENPEERUNPROVENPEERUNPR";
static_assert(kUnprovenPeerId.size() == 52);
// The daemon's control token: seeds of the local UI carry "Authorization: Bearer <it>" or "?token=<it>".
constexpr std::string_view kToken = "FUZZTOKENFUZZTOKENFUZZTOKENFUZZTOKENFUZZTOKENFUZZTOK";
static_assert(kToken.size() == 52);
// The server stops reading a connection long before this; it bounds the work per input.
constexpr int kMaxRequestsPerInput = 100;

// What ApiHandler may answer (docs/protocol.md); 408, 413, 431 and 503 come from the server.
std::optional<std::string_view> error_code_for(unsigned status) {
  switch (status) {
    case 200:
    case 201:
    case 202:
    case 204: return "";
    case 400: return "bad_request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 409: return "not_verified";
    case 429: return "rate_limited";
    case 502: return "peer_unreachable";
    default: return std::nullopt;
  }
}

core::Logger quiet_logger() {
  // Everything is formatted (so format strings are exercised) and then dropped.
  auto logger = std::make_shared<spdlog::logger>("fuzz", std::make_shared<spdlog::sinks::null_sink_st>());
  logger->set_level(spdlog::level::trace);
  return logger;
}

// One connection's worth of daemon: fresh state per input, so every input replays alike.
struct Daemon {
  testing::FakeClock clock;
  testing::FakePeerDirectory directory;
  http::LocalRequestPolicy policy{3001};
  http::ControlToken token{std::string(kToken)};
  core::RateLimiter limiter{clock, {}};
  http::StaticAssets assets;
  testing::FakeSettings settings;
  testing::FakeFileLibrary files;
  testing::FakeLaneControl lane;
  testing::FakeMessageAccess messages;
  http::ApiHandler handler{
      http::ApiServices{.directory = directory, .settings = settings, .files = files, .lane = lane,
                        .messages = messages},
      policy, token, limiter, limiter, assets, quiet_logger()};

  Daemon() {
    files.files.push_back({.name = "photos/a.jpg",
                           .size = 5,
                           .sha256 = std::string(64, 'a'),
                           .from = std::string(kKnownPeerId),
                           .received_at = clock.unix_ms()});
    files.contents["photos/a.jpg"] = "hello";
    policy.set_own_addresses({std::string(kOwnAddress)});
    discovery::PeerInfo known;
    known.id = kKnownPeerId;
    known.name = "known";
    known.addresses = {{"198.51.100.3", 3001}};
    known.online = true;
    known.sources = static_cast<unsigned>(discovery::PeerSource::broadcast);
    known.last_seen_ms = clock.unix_ms();
    known.first_seen_ms = clock.unix_ms();
    known.verified = true;
    known.verification_code = "012345";
    directory.known.push_back(known);
    discovery::PeerInfo unproven = known;
    unproven.id = kUnprovenPeerId;
    unproven.verified = false;
    directory.known.push_back(unproven);
  }
};

void check_response(const http::Request& request, const http::Response& response, bool local) {
  const auto status = response.result_int();
  const auto code = error_code_for(status);
  PEERDROP_FUZZ_CHECK(code.has_value());
  PEERDROP_FUZZ_CHECK(response.version() == 11);
  if (status >= 400) {
    // Every error is {"error": "...", "code": "..."} (docs/protocol.md).
    PEERDROP_FUZZ_CHECK(response[bhttp::field::content_type] == "application/json");
    boost::system::error_code ec;
    const auto json = boost::json::parse(response.body(), ec);
    PEERDROP_FUZZ_CHECK(!ec && json.is_object());
    const auto* error = json.get_object().if_contains("error");
    const auto* error_code = json.get_object().if_contains("code");
    PEERDROP_FUZZ_CHECK(error && error->is_string() && !error->get_string().empty());
    PEERDROP_FUZZ_CHECK(error_code && error_code->is_string() && error_code->get_string() == *code);
    const auto* field = json.get_object().if_contains("field");  // PUT /api/settings names the field
    PEERDROP_FUZZ_CHECK(!field || (status == 400 && field->is_string() && !field->get_string().empty()));
  }
  if (status == 405) PEERDROP_FUZZ_CHECK(!response[bhttp::field::allow].empty());
  if (status == 429) {
    PEERDROP_FUZZ_CHECK(!local);
    const auto text = response[bhttp::field::retry_after];
    int seconds = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    PEERDROP_FUZZ_CHECK(ec == std::errc{} && end == text.data() + text.size() && seconds >= 1);
  }
  if (status != 204 && request.method() != bhttp::verb::head) {
    PEERDROP_FUZZ_CHECK(response[bhttp::field::content_length] == std::to_string(response.body().size()));
  }
}

// Control endpoints never act for, or tell anything to, another host or a
// local client without the control token.
void check_remote_isolation(const Daemon& daemon, const http::Response& response) {
  PEERDROP_FUZZ_CHECK(daemon.directory.added.empty());
  PEERDROP_FUZZ_CHECK(daemon.directory.forgotten.empty());
  PEERDROP_FUZZ_CHECK(daemon.directory.confirmations.empty());
  PEERDROP_FUZZ_CHECK(daemon.directory.scans == 0);
  PEERDROP_FUZZ_CHECK(daemon.settings.changes.empty());
  PEERDROP_FUZZ_CHECK(daemon.files.opened.empty());
  PEERDROP_FUZZ_CHECK(response.body().find(kKnownPeerId) == std::string::npos);
  PEERDROP_FUZZ_CHECK(response.body().find(kUnprovenPeerId) == std::string::npos);
}

// A WebSocket is only for the local UI, with the token, at /ws; anything else is refused with a JSON error.
void check_websocket(const Daemon& daemon, const http::Request& request, const http::ClientInfo& client, bool local) {
  const auto refusal = daemon.handler.check_websocket(request, client);
  if (!refusal) {
    PEERDROP_FUZZ_CHECK(local && daemon.token.presented_by(request));
    return;
  }
  PEERDROP_FUZZ_CHECK(refusal->result() == bhttp::status::forbidden || refusal->result() == bhttp::status::not_found ||
                      refusal->result() == bhttp::status::unauthorized);
  check_response(request, *refusal, local);
}

http::Reply handle(Daemon& daemon, const http::Request& request, const http::ClientInfo& client) {
  static asio::io_context io;
  std::exception_ptr failure;
  std::optional<http::Reply> reply;
  asio::co_spawn(io, daemon.handler.handle(request, client), [&](std::exception_ptr e, http::Reply r) {
    failure = e;
    if (!e) reply = std::move(r);
  });
  io.restart();
  io.run();
  PEERDROP_FUZZ_CHECK(!failure);  // the handler never throws
  PEERDROP_FUZZ_CHECK(reply.has_value());
  return std::move(*reply);
}

// A download is a file the library has, served to the local UI only, as an attachment of its own length.
void check_download(const Daemon& daemon, const http::Request& request, const http::Reply& reply, bool local) {
  PEERDROP_FUZZ_CHECK(local && daemon.token.presented_by(request));
  PEERDROP_FUZZ_CHECK(reply.response.result() == bhttp::status::ok && reply.response.body().empty());
  PEERDROP_FUZZ_CHECK(!daemon.files.opened.empty() && daemon.files.contents.count(daemon.files.opened.back()));
  PEERDROP_FUZZ_CHECK(reply.file_size == daemon.files.contents.at(daemon.files.opened.back()).size());
  PEERDROP_FUZZ_CHECK(reply.response[bhttp::field::content_length] == std::to_string(reply.file_size));
  PEERDROP_FUZZ_CHECK(reply.response[bhttp::field::content_disposition].starts_with("attachment; "));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool local = (data[0] & 1) == 0;
  const bool sliced = (data[0] & 2) != 0;
  const std::size_t read_size = 1 + (data[0] >> 2);
  const char* bytes = reinterpret_cast<const char*>(data + 1);
  const std::size_t total = size - 1;

  Daemon daemon;
  const http::HttpConfig config;
  const http::ClientInfo client{std::string(local ? kLocalClient : kRemoteClient)};

  bool authorized = false;   // a request so far presented the token from this machine
  std::size_t consumed = 0;  // bytes the parsers have taken
  std::size_t received = 0;  // bytes "read from the socket" so far
  auto receive_more = [&] {
    if (received == total) return false;
    received = sliced ? std::min(total, received + read_size) : total;
    return true;
  };
  receive_more();

  for (int handled = 0; handled < kMaxRequestsPerInput && consumed < total; ++handled) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(config.header_limit));
    parser.body_limit(config.body_limit);
    // Feeds the parser until `done`, as http::async_read_header and http::async_read do. False when
    // the connection ends here: a parse error (the server answers 400, 413 or 431 and closes) or
    // the end of the input in mid-request (the server times out).
    auto feed = [&](auto done) {
      while (!done()) {
        if (consumed == received && !receive_more()) return false;
        boost::system::error_code ec;
        const auto used = parser.put(asio::buffer(bytes + consumed, received - consumed), ec);
        PEERDROP_FUZZ_CHECK(used <= received - consumed);
        consumed += used;
        if (done()) break;
        if (ec == bhttp::error::need_more || (!ec && used == 0)) {
          if (!receive_more()) return false;
          continue;
        }
        if (ec) return false;
      }
      return true;
    };
    parser.eager(false);
    if (!feed([&] { return parser.is_header_done(); })) return 0;
    const auto body_limit = config.body_limit;
    parser.body_limit(body_limit);
    parser.eager(true);
    if (!feed([&] { return parser.is_done(); })) return 0;
    const bool keep_alive = parser.get().keep_alive();
    const auto request = parser.release();
    PEERDROP_FUZZ_CHECK(request.body().size() <= body_limit);
    if (boost::beast::websocket::is_upgrade(request)) {
      // Refused, or handed to the WebSocket session: either way this connection's HTTP ends here.
      check_websocket(daemon, request, client, local);
      break;
    }

    authorized = authorized || (local && daemon.token.presented_by(request));
    const auto reply = handle(daemon, request, client);
    const auto& response = reply.response;
    if (reply.file) {
      check_download(daemon, request, reply, local);
    } else {
      check_response(request, response, local);
    }
    if (!authorized) check_remote_isolation(daemon, response);
    for (const auto& [id, confirmed] : daemon.directory.confirmations) {  // only a peer id reaches the directory
      PEERDROP_FUZZ_CHECK(identity::looks_like_peer_id(id));
    }
    for (const auto& change : daemon.settings.changes) {  // only validated changes reach the settings
      PEERDROP_FUZZ_CHECK(!change.name || discovery::is_valid_name(*change.name));
      PEERDROP_FUZZ_CHECK(!change.ice_servers || change.ice_servers->size() <= settings::Settings::kMaxIceServers);
    }
    if (!keep_alive) break;
  }
  return 0;
}
