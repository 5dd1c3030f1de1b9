#include "cli/daemon_health.hpp"

#include "core/json_fields.hpp"

namespace peerdrop::cli {

std::optional<DaemonHealth> parse_daemon_health(std::string_view body) {
  const auto value = core::parse_json(body, 8);
  if (!value || !value->is_object()) return std::nullopt;
  const auto& object = value->get_object();
  const auto* id = core::string_field(object, "id");
  const auto* name = core::string_field(object, "name");
  const auto* version = core::string_field(object, "version");
  const auto port = core::whole_field(object, "port", 65535);
  if (!id || !name || !version || !port) return std::nullopt;
  DaemonHealth health{.id = std::string(*id),
                      .name = std::string(*name),
                      .version = std::string(*version),
                      .port = static_cast<std::uint16_t>(*port)};
  if (object.contains("relay")) {
    const auto* relay = core::object_field(object, "relay");
    const auto enabled = relay ? core::bool_field(*relay, "enabled") : std::nullopt;
    const auto* state = relay ? core::string_field(*relay, "state") : nullptr;
    if (!enabled || !state) return std::nullopt;
    health.relay_enabled = *enabled;
    health.relay_state = std::string(*state);
    if (const auto relay_port = core::whole_field(*relay, "port", 65535)) {
      health.relay_port = static_cast<std::uint16_t>(*relay_port);
    }
  }
  return health;
}

}  // namespace peerdrop::cli
