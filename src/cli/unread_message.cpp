#include "cli/unread_message.hpp"

#include <limits>

#include "core/json_fields.hpp"

namespace peerdrop::cli {

std::optional<std::vector<UnreadMessage>> parse_unread_messages(std::string_view body) {
  const auto json = core::parse_json(body, 8);
  if (!json || !json->is_object()) return std::nullopt;
  const auto* list = core::array_field(json->get_object(), "messages");
  if (!list) return std::nullopt;
  std::vector<UnreadMessage> out;
  for (const auto& item : *list) {
    if (!item.is_object()) return std::nullopt;
    const auto& o = item.get_object();
    const auto* id = core::string_field(o, "id");
    const auto* peer = core::string_field(o, "peer");
    const auto* text = core::string_field(o, "text");
    const auto sent = core::whole_field(o, "sentAt", std::numeric_limits<std::int64_t>::max());
    if (!id || !peer || !text || !sent) return std::nullopt;
    out.push_back(UnreadMessage{.id = std::string(*id), .peer = std::string(*peer), .text = std::string(*text),
                                .sent_at_ms = static_cast<std::int64_t>(*sent), .json = o});
  }
  return out;
}

}  // namespace peerdrop::cli
