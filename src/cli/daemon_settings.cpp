#include "cli/daemon_settings.hpp"

#include "core/json_fields.hpp"

namespace peerdrop::cli {

std::optional<DaemonSettings> parse_daemon_settings(std::string_view body) {
  const auto value = core::parse_json(body, 8);
  if (!value || !value->is_object()) return std::nullopt;
  const auto& object = value->get_object();
  const auto* name = core::string_field(object, "name");
  const auto* auto_accept = core::array_field(object, "autoAccept");
  const auto* download_dir = core::string_field(object, "downloadDir");
  if (!name || !auto_accept || !download_dir) return std::nullopt;
  DaemonSettings settings{.name = std::string(*name), .download_dir = std::string(*download_dir)};
  for (const auto& id : *auto_accept) {
    if (!id.is_string()) return std::nullopt;
    settings.auto_accept.emplace_back(id.get_string());
  }
  return settings;
}

}  // namespace peerdrop::cli
