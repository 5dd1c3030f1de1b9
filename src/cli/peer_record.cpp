#include "cli/peer_record.hpp"

#include <limits>

#include "core/json_fields.hpp"
#include "identity/peer_id.hpp"

namespace peerdrop::cli {
namespace {

std::optional<PeerRecord> peer_record(const boost::json::value& value) {
  if (!value.is_object()) return std::nullopt;
  const auto& object = value.get_object();
  const auto* id = core::string_field(object, "id");
  const auto* name = core::string_field(object, "name");
  const auto* addresses = core::array_field(object, "addresses");
  const auto online = core::bool_field(object, "online");
  const auto verified = core::bool_field(object, "verified");
  const auto last_seen = core::whole_field(object, "lastSeen", std::numeric_limits<std::int64_t>::max());
  const auto outdated = object.contains("outdated") ? core::bool_field(object, "outdated") : std::optional(false);
  if (!id || !identity::looks_like_peer_id(*id) || !name || !addresses || !online || !verified || !last_seen ||
      !outdated) {
    return std::nullopt;
  }
  PeerRecord peer{.id = std::string(*id),
                  .name = std::string(*name),
                  .online = *online,
                  .verified = *verified,
                  .outdated = *outdated,
                  .last_seen_ms = static_cast<std::int64_t>(*last_seen)};
  for (const auto& address : *addresses) {
    if (!address.is_string()) return std::nullopt;
    peer.addresses.emplace_back(address.get_string());
  }
  return peer;
}

}  // namespace

std::optional<std::vector<PeerRecord>> parse_peer_records(std::string_view body) {
  const auto value = core::parse_json(body, 8);
  if (!value || !value->is_array()) return std::nullopt;
  std::vector<PeerRecord> peers;
  for (const auto& item : value->get_array()) {
    auto peer = peer_record(item);
    if (!peer) return std::nullopt;
    peers.push_back(std::move(*peer));
  }
  return peers;
}

}  // namespace peerdrop::cli
