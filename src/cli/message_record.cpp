#include "cli/message_record.hpp"

#include <limits>

#include "core/json_fields.hpp"

namespace peerdrop::cli {

std::optional<MessageRecord> parse_message_record(std::string_view body) {
  const auto json = core::parse_json(body, 4);
  if (!json || !json->is_object()) return std::nullopt;
  const auto& object = json->get_object();
  const auto* id = core::string_field(object, "id");
  const auto* peer = core::string_field(object, "peer");
  const auto* state = core::string_field(object, "state");
  if (!id || !peer || !state) return std::nullopt;
  MessageRecord record{.id = std::string(*id), .peer = std::string(*peer), .state = std::string(*state)};
  if (object.contains("expiresAt")) {
    const auto expires = core::whole_field(object, "expiresAt", std::numeric_limits<std::int64_t>::max());
    if (!expires) return std::nullopt;
    record.expires_at_ms = static_cast<std::int64_t>(*expires);
  }
  return record;
}

}  // namespace peerdrop::cli
