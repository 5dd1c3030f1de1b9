#include "cli/daemon_api.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "cli/terminal_text.hpp"
#include "control/control_token_file.hpp"
#include "core/errc.hpp"
#include "core/json_fields.hpp"

namespace peerdrop::cli {

Failure DaemonApi::not_understood(std::string_view method, std::string_view target) const {
  return failed("peerdropd answered " + std::string(method) + " " + std::string(target) +
                " in a way this peerdrop (" PEERDROP_VERSION ") does not understand; use the peerdrop that came "
                "with this peerdropd");
}

Outcome<std::string> DaemonApi::call(std::string_view method, std::string_view target, std::string_view body) const {
  const auto url = client_.endpoint().url();
  auto answer = client_.request(method, target, body);
  if (!answer) {
    if (answer.error() == core::Errc::too_large) return not_understood(method, target);
    auto lost = answer.error() == core::Errc::timeout
                    ? failed("peerdropd at " + url + " did not answer within the time allowed; it may be stuck: look "
                             "at its log, or restart it")
                    : failed("lost peerdropd at " + url + " (" + answer.error().message() +
                             "); is it still running? peerdrop status tells");
    lost.cause = kDaemonLost;
    return lost;
  }
  if (answer->status >= 200 && answer->status < 300) return std::move(answer->body);
  if (answer->status == 401) {
    return failed("peerdropd refused the key in " + (data_dir_ / control::kControlTokenFileName).string() +
                  " (the file changed since it started?); restart peerdropd, which reads it again");
  }
  // {"error": "a sentence", "code": "…"}: the daemon's own words.
  const auto error = core::parse_json(answer->body, 4);
  const auto* object = error && error->is_object() ? &error->get_object() : nullptr;
  const auto* sentence = object ? core::string_field(*object, "error") : nullptr;
  if (!sentence) return not_understood(method, target);
  auto refused = failed("peerdropd refused: " + printable(*sentence));
  if (const auto* code = core::string_field(*object, "code")) refused.cause = std::string(*code);
  return refused;
}

template <typename T>
Outcome<T> DaemonApi::typed(std::string_view method, std::string_view target, Parser<T> parse,
                            std::string_view body) const {
  auto answer = call(method, target, body);
  if (!answer) return answer.error();
  auto value = parse(*answer);
  if (!value) return not_understood(method, target);
  return std::move(*value);
}

Outcome<DaemonHealth> DaemonApi::health() const { return typed("GET", "/api/health", parse_daemon_health); }

Outcome<DaemonSettings> DaemonApi::settings() const { return typed("GET", "/api/settings", parse_daemon_settings); }

Outcome<std::vector<PeerRecord>> DaemonApi::peers() const { return typed("GET", "/api/peers", parse_peer_records); }

Outcome<DaemonSettings> DaemonApi::set_trusted(const std::vector<std::string>& ids) const {
  boost::json::array list;
  for (const auto& id : ids) list.emplace_back(id);
  return typed("PUT", "/api/settings", parse_daemon_settings,
               boost::json::serialize(boost::json::object{{"autoAccept", std::move(list)}}));
}

namespace {

std::optional<std::vector<TransferRecord>> parse_transfer_list(std::string_view body) {
  return parse_transfer_records(body, "transfers");
}

std::optional<std::vector<TransferRecord>> parse_offer_list(std::string_view body) {
  return parse_transfer_records(body, "offers");
}

}  // namespace

Outcome<TransferRecord> DaemonApi::send(const std::string& peer_id, const std::vector<std::string>& paths) const {
  boost::json::array list;
  for (const auto& path : paths) list.emplace_back(path);
  return typed("POST", "/api/transfers", parse_transfer_record,
               boost::json::serialize(boost::json::object{{"to", peer_id}, {"paths", std::move(list)}}));
}

Outcome<std::vector<TransferRecord>> DaemonApi::transfers() const {
  return typed("GET", "/api/transfers", parse_transfer_list);
}

Outcome<TransferRecord> DaemonApi::transfer(const std::string& tid) const {
  if (!looks_like_transfer_id(tid)) return usage("\"" + printable(tid) + "\" is not a transfer id");
  return typed("GET", "/api/transfers/" + tid, parse_transfer_record);
}

Outcome<> DaemonApi::cancel(const std::string& tid) const {
  if (!looks_like_transfer_id(tid)) return usage("\"" + printable(tid) + "\" is not a transfer id");
  const auto done = call("DELETE", "/api/transfers/" + tid);
  if (!done) return done.error();
  return {};
}

Outcome<std::vector<TransferRecord>> DaemonApi::offers() const {
  return typed("GET", "/api/offers", parse_offer_list);
}

Outcome<std::vector<UnreadMessage>> DaemonApi::unread_messages() const {
  return typed("GET", "/api/messages?unread=1&limit=100", parse_unread_messages);
}

Outcome<> DaemonApi::answer(const std::string& tid, bool accept) const {
  if (!looks_like_transfer_id(tid)) return usage("\"" + printable(tid) + "\" is not a transfer id");
  const auto done = call("POST", "/api/offers/" + tid + (accept ? "/accept" : "/decline"),
                         R"({"via":"command line"})");
  if (!done) return done.error();
  return {};
}

Outcome<MessageRecord> DaemonApi::send_message(const std::string& peer_id, const std::string& text) const {
  return typed("POST", "/api/messages", parse_message_record,
               boost::json::serialize(boost::json::object{{"to", peer_id}, {"text", text}}));
}

Outcome<MessageRecord> DaemonApi::message(const std::string& id) const {
  // The id came from the daemon; only its own characters go into the path.
  std::string safe;
  for (const char c : id) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-') {
      safe.push_back(c);
    }
  }
  return typed("GET", "/api/messages/" + safe, parse_message_record);
}

}  // namespace peerdrop::cli
