#include "cli/daemon_api.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

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
    if (answer.error() == core::Errc::timeout) {
      return failed("peerdropd at " + url + " did not answer within the time allowed; it may be stuck: look at its "
                    "log, or restart it");
    }
    if (answer.error() == core::Errc::too_large) return not_understood(method, target);
    return failed("lost peerdropd at " + url + " (" + answer.error().message() +
                  "); is it still running? peerdrop status tells");
  }
  if (answer->status >= 200 && answer->status < 300) return std::move(answer->body);
  if (answer->status == 401) {
    return failed("peerdropd refused the key in " + (data_dir_ / control::kControlTokenFileName).string() +
                  " (the file changed since it started?); restart peerdropd, which reads it again");
  }
  // {"error": "a sentence", "code": "…"}: the daemon's own words.
  const auto error = core::parse_json(answer->body, 4);
  const auto* sentence = error && error->is_object() ? core::string_field(error->get_object(), "error") : nullptr;
  if (!sentence) return not_understood(method, target);
  return failed("peerdropd refused: " + std::string(*sentence));
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
