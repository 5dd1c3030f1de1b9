#include "messages/message_payload.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/errc.hpp"
#include "core/json_fields.hpp"
#include "messages/message_id.hpp"
#include "messages/message_text.hpp"

namespace peerdrop::messages {

std::string serialize(const MessagePayload& payload) {
  return boost::json::serialize(
      boost::json::object{{"id", payload.id}, {"text", payload.text}, {"sentAt", payload.sent_at}});
}

boost::system::result<MessagePayload> parse_message_payload(std::string_view json) {
  if (json.size() > MessagePayload::kMaxBytes) return core::make_error_code(core::Errc::too_large);
  boost::json::monotonic_resource arena;
  const auto value = core::parse_json(json, 4, &arena);
  if (!value || !value->is_object()) return core::make_error_code(core::Errc::malformed);
  const auto& object = value->get_object();
  const auto* id = core::string_field(object, "id");
  const auto* text = core::string_field(object, "text");
  const auto sent_at = core::int_field(object, "sentAt");
  if (!id || !text || !sent_at || *sent_at < 0 || !is_valid_message_id(*id)) {
    return core::make_error_code(core::Errc::malformed);
  }
  if (const auto ec = check_message_text(*text)) return ec;
  return MessagePayload{.id = std::string(*id), .text = std::string(*text), .sent_at = *sent_at};
}

}  // namespace peerdrop::messages
