#include "http/messages_api.hpp"

#include <boost/json/array.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <optional>

#include "core/errc.hpp"
#include "core/error_text.hpp"
#include "core/json_fields.hpp"
#include "identity/peer_id.hpp"
#include "messages/message_id.hpp"
#include "messages/message_json.hpp"

namespace peerdrop::http {

namespace bhttp = boost::beast::http;

namespace {

Response bad_request(std::string_view sentence) { return error_response(bhttp::status::bad_request, "bad_request", sentence); }

Response not_allowed(std::string_view allow) {
  auto response = error_response(bhttp::status::method_not_allowed, "method_not_allowed",
                                 "this endpoint does not take that method");
  response.set(bhttp::field::allow, allow);
  return response;
}

// A whole number from 0 to max, in decimal and nothing else.
std::optional<std::uint64_t> whole_number(std::string_view text, std::uint64_t max) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

boost::json::array to_json(const std::vector<messages::Message>& list) {
  boost::json::array out;
  out.reserve(list.size());
  for (const auto& message : list) out.push_back(messages::to_json(message));
  return out;
}

// A JSON object body with exactly these string fields.
std::optional<boost::json::object> string_fields(const Request& request, std::initializer_list<std::string_view> keys) {
  auto body = core::parse_json(request.body(), 4);
  if (!body || !body->is_object() || body->get_object().size() != keys.size()) return std::nullopt;
  for (const auto key : keys) {
    if (!core::string_field(body->get_object(), key)) return std::nullopt;
  }
  return std::move(body->get_object());
}

}  // namespace

Response MessagesApi::handle(const Request& request, std::string_view path) {
  const auto method = request.method();
  if (path == "/api/messages") {
    if (method == bhttp::verb::get) return list(request);
    if (method == bhttp::verb::post) return send(request);
    return not_allowed("GET, POST");
  }
  if (path == "/api/messages/read") {
    if (method == bhttp::verb::post) return mark_read(request);
    return not_allowed("POST");
  }
  if (method != bhttp::verb::get) return not_allowed("GET");
  return one(path.substr(std::string_view("/api/messages/").size()));
}

Response MessagesApi::list(const Request& request) {
  const auto url = boost::urls::parse_origin_form(request.target());
  if (!url) return bad_request("the request target is malformed");
  const auto params = url->params();
  const auto value_of = [&](std::string_view key) -> std::optional<std::string> {
    const auto found = params.find(key);
    if (found == params.end()) return std::nullopt;
    return (*found).has_value ? std::string((*found).value) : std::string();
  };
  std::size_t limit = kDefaultLimit;
  if (const auto text = value_of("limit")) {
    const auto parsed = whole_number(*text, kMaxLimit);
    if (!parsed || *parsed == 0) return bad_request("limit is a whole number from 1 to 1000");
    limit = static_cast<std::size_t>(*parsed);
  }
  if (const auto unread = value_of("unread")) {
    if (*unread != "1" || value_of("peer")) return bad_request("ask either ?unread=1 or ?peer=<peer id>");
    boost::json::object counts;
    for (const auto& [peer, count] : messages_.unread_counts()) counts[peer] = count;
    return json_response(bhttp::status::ok,
                         boost::json::object{{"messages", to_json(messages_.unread(limit))}, {"unread", counts}});
  }
  const auto peer = value_of("peer");
  if (!peer || !identity::looks_like_peer_id(*peer)) {
    return bad_request("say whose conversation: /api/messages?peer=<peer id>, or ?unread=1");
  }
  std::int64_t before = 0;
  if (const auto text = value_of("before")) {
    const auto parsed = whole_number(*text, static_cast<std::uint64_t>(INT64_MAX));
    if (!parsed) return bad_request("before is a message's seq");
    before = static_cast<std::int64_t>(*parsed);
  }
  return json_response(bhttp::status::ok,
                       boost::json::object{{"messages", to_json(messages_.history(*peer, before, limit))}});
}

Response MessagesApi::send(const Request& request) {
  const auto body = string_fields(request, {"to", "text"});
  if (!body) return bad_request("send a JSON object like {\"to\":\"<peer id>\",\"text\":\"Hello\"}");
  const std::string to(body->at("to").get_string());
  if (!identity::looks_like_peer_id(to)) {
    return error_response(bhttp::status::not_found, "unknown_peer", "no peer with that id is known");
  }
  auto sent = messages_.send(to, body->at("text").get_string());
  if (sent) return json_response(bhttp::status::created, messages::to_json(*sent));
  const auto& ec = sent.error();
  if (ec == core::Errc::malformed) {
    return bad_request("a message is UTF-8 text of 1 to 16,384 bytes, with no control characters but tab and line "
                       "breaks");
  }
  const auto [code, sentence] = core::error_text(ec);
  auto status = bhttp::status::internal_server_error;
  if (ec == core::Errc::unknown_peer) status = bhttp::status::not_found;
  if (ec == core::Errc::too_large) status = bhttp::status::payload_too_large;
  if (ec == core::Errc::queue_full) status = bhttp::status::service_unavailable;
  return error_response(status, code, sentence);
}

Response MessagesApi::mark_read(const Request& request) {
  const auto body = string_fields(request, {"peer"});
  if (!body) return bad_request("send a JSON object like {\"peer\":\"<peer id>\"}");
  const std::string peer(body->at("peer").get_string());
  if (!identity::looks_like_peer_id(peer)) return bad_request("\"peer\" is a peer id");
  const auto count = messages_.mark_read(peer);
  if (!count) {
    const auto [code, sentence] = core::error_text(count.error());
    return error_response(bhttp::status::internal_server_error, code, sentence);
  }
  return json_response(bhttp::status::ok, boost::json::object{{"read", *count}});
}

Response MessagesApi::one(std::string_view id) {
  if (!messages::is_valid_message_id(id)) {
    return error_response(bhttp::status::not_found, "not_found", "no message with that id is known");
  }
  const auto message = messages_.find(id);
  if (!message) return error_response(bhttp::status::not_found, "not_found", "no message with that id is known");
  return json_response(bhttp::status::ok, messages::to_json(*message));
}

}  // namespace peerdrop::http
