#include "ui/ui_message_parser.hpp"

#include <array>
#include <utility>

#include "core/json_fields.hpp"
#include "core/limits.hpp"
#include "signaling/envelope.hpp"

namespace peerdrop::ui {

namespace json = boost::json;
using core::string_field;
using core::whole_field;

namespace {

// A type's reader: the request, or the sentence that says what is wrong with it.
using Parsed = boost::system::result<UiRequest, std::string>;
using Reader = Parsed (*)(const json::object&);

Parsed read_signal(const json::object& m) {
  const auto* to = string_field(m, "to");
  const auto* kind = string_field(m, "kind");
  const auto* session = m.if_contains("session");
  const auto* payload = m.if_contains("payload");
  const auto* ttl = m.if_contains("ttlMs");
  if (!to || !kind || !signaling::is_valid_type(*kind) ||
      (session && (!session->is_string() || session->get_string().size() > kMaxSessionBytes)) ||
      (payload && !payload->is_object()) || (ttl && !ttl->is_int64())) {
    return std::string(
        "a signal needs \"to\" (a peer id), \"kind\" (e.g. \"offer\"), an optional \"session\" string, an optional "
        "\"payload\" object and an optional \"ttlMs\"");
  }
  if (signaling::is_daemon_type(*kind)) {
    return "\"" + std::string(*kind) + "\" messages are the daemons' own; a page cannot send them";
  }
  return SignalRequest{.to = std::string(*to),
                       .kind = std::string(*kind),
                       .session = session ? std::string(session->get_string()) : std::string(),
                       .payload = payload ? payload->get_object() : json::object(),
                       .ttl = std::chrono::milliseconds(ttl ? ttl->get_int64() : 0)};
}

Parsed read_session(const json::object& m) {
  const auto* peer = string_field(m, "peer");
  const auto* state = string_field(m, "state");
  if (!peer || !state) return std::string("a session message needs \"peer\" and \"state\"");
  return SessionUpdate{.peer = std::string(*peer), .state = std::string(*state)};
}

Parsed read_get_peers(const json::object&) { return GetPeers{}; }

Parsed read_ice_servers(const json::object& m) {
  const auto* peer = string_field(m, "peer");
  if (!peer) return std::string("ice_servers needs \"peer\"");
  return IceServersRequest{.peer = std::string(*peer)};
}

Parsed read_file_open(const json::object& m) {
  const auto* peer = string_field(m, "peer");
  const auto* tid = string_field(m, "tid");
  const auto* path = string_field(m, "path");
  const auto index = whole_field(m, "i", core::kMaxU32);
  const auto size = whole_field(m, "size", core::kMaxSafeInteger);
  if (!peer || !tid || !path || !index || !size) {
    return std::string(
        "file_open needs \"peer\" (the sending peer's id), \"tid\", \"i\" (a whole number), \"path\" and \"size\" "
        "(bytes)");
  }
  return FileOpen{.peer = std::string(*peer),
                  .tid = std::string(*tid),
                  .index = static_cast<std::uint32_t>(*index),
                  .path = std::string(*path),
                  .size = *size};
}

Parsed read_file_finish(const json::object& m) {
  const auto handle = whole_field(m, "handle", core::kMaxU32);
  const auto size = whole_field(m, "size", core::kMaxSafeInteger);
  const auto* sha256 = string_field(m, "sha256");
  if (!handle || !size || !sha256) {
    return std::string("file_finish needs \"handle\", \"size\" (bytes) and \"sha256\" (64 hex digits)");
  }
  return FileFinish{.handle = static_cast<std::uint32_t>(*handle), .size = *size, .sha256 = std::string(*sha256)};
}

Parsed read_file_cancel(const json::object& m) {
  const auto* peer = string_field(m, "peer");
  const auto* tid = string_field(m, "tid");
  if (!peer || !tid) return std::string("file_cancel needs \"peer\" (a peer id) and \"tid\"");
  return FileCancel{.peer = std::string(*peer), .tid = std::string(*tid)};
}

// Every message type a tab may send, and its reader.
constexpr std::array<std::pair<std::string_view, Reader>, 7> kReaders{{
    {"signal", read_signal},
    {"session", read_session},
    {"get_peers", read_get_peers},
    {"ice_servers", read_ice_servers},
    {"file_open", read_file_open},
    {"file_finish", read_file_finish},
    {"file_cancel", read_file_cancel},
}};

// At most `max` bytes of `text`, cut before a UTF-8 continuation byte.
std::string shown(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  while (max > 0 && (static_cast<unsigned char>(text[max]) & 0xc0) == 0x80) --max;
  return std::string(text.substr(0, max));
}

}  // namespace

boost::system::result<IncomingMessage, MessageRefusal> parse_ui_message(std::string_view text) {
  const auto value = core::parse_json(text, kMaxMessageDepth);
  const auto* type = value && value->is_object() ? string_field(value->get_object(), "type") : nullptr;
  if (!type) return MessageRefusal{"bad_request", "every message must be a JSON object with a \"type\"", {}};
  const auto& message = value->get_object();
  std::optional<json::value> ref;
  if (const auto* r = message.if_contains("ref")) ref = *r;
  for (const auto& [name, read] : kReaders) {
    if (name != *type) continue;
    auto request = read(message);
    if (!request) return MessageRefusal{"bad_request", std::move(request.error()), std::move(ref)};
    return IncomingMessage{std::move(*request), std::move(ref)};
  }
  return MessageRefusal{"unknown_type", "this daemon does not know the message type \"" + shown(*type, 40) + "\"",
                        std::move(ref)};
}

}  // namespace peerdrop::ui
