#include "cli/transfer_record.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include "core/json_fields.hpp"
#include "identity/peer_id.hpp"

namespace peerdrop::cli {
namespace {

constexpr std::size_t kMinTidBytes = 22;
constexpr std::size_t kMaxTidBytes = 32;
constexpr std::uint64_t kMaxCount = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint64_t kMaxBytes = std::numeric_limits<std::int64_t>::max();
constexpr std::array<std::string_view, 7> kStates{"offered", "accepted",  "done",  "declined",
                                                  "expired", "cancelled", "failed"};

// An optional string field: empty when absent, nothing when of another type.
std::optional<std::string> optional_text(const boost::json::object& object, std::string_view key) {
  if (!object.contains(key)) return std::string();
  const auto* text = core::string_field(object, key);
  if (!text) return std::nullopt;
  return std::string(*text);
}

std::optional<TransferFile> transfer_file(const boost::json::value& value) {
  if (!value.is_object()) return std::nullopt;
  const auto& object = value.get_object();
  const auto* path = core::string_field(object, "path");
  const auto size = core::whole_field(object, "size", kMaxBytes);
  auto name = optional_text(object, "name");
  if (!path || !size || !name) return std::nullopt;
  return TransferFile{.path = std::string(*path), .size = *size, .name = std::move(*name)};
}

std::optional<TransferRecord> transfer_record(const boost::json::value& value) {
  if (!value.is_object()) return std::nullopt;
  const auto& object = value.get_object();
  const auto* tid = core::string_field(object, "tid");
  const auto* direction = core::string_field(object, "direction");
  const auto* peer = core::string_field(object, "peer");
  const auto* peer_name = core::string_field(object, "peer_name");
  const auto* state = core::string_field(object, "state");
  const auto file_count = core::whole_field(object, "file_count", kMaxCount);
  const auto total_bytes = core::whole_field(object, "total_bytes", kMaxBytes);
  const auto done_bytes = core::whole_field(object, "done_bytes", kMaxBytes);
  const auto files_landed = core::whole_field(object, "files_landed", kMaxCount);
  const auto created_at = core::int_field(object, "created_at");
  const auto updated_at = core::int_field(object, "updated_at");
  auto code = optional_text(object, "code");
  auto reason = optional_text(object, "reason");
  auto answered_by = optional_text(object, "answered_by");
  auto stalled = optional_text(object, "stalled");
  if (!tid || !looks_like_transfer_id(*tid) || !direction || (*direction != "incoming" && *direction != "outgoing") ||
      !peer || !identity::looks_like_peer_id(*peer) || !peer_name || !state ||
      std::find(kStates.begin(), kStates.end(), std::string_view(*state)) == kStates.end() || !file_count ||
      !total_bytes || !done_bytes || *done_bytes > *total_bytes || !files_landed || *files_landed > *file_count ||
      !created_at || !updated_at || !code || !reason || !answered_by || !stalled) {
    return std::nullopt;
  }
  TransferRecord record{.tid = std::string(*tid),
                        .incoming = *direction == "incoming",
                        .peer = std::string(*peer),
                        .peer_name = std::string(*peer_name),
                        .state = std::string(*state),
                        .file_count = *file_count,
                        .total_bytes = *total_bytes,
                        .done_bytes = *done_bytes,
                        .files_landed = *files_landed,
                        .created_at = *created_at,
                        .updated_at = *updated_at,
                        .code = std::move(*code),
                        .reason = std::move(*reason),
                        .answered_by = std::move(*answered_by),
                        .stalled = std::move(*stalled),
                        .json = object};
  if (object.contains("expires_at")) {
    const auto expires_at = core::int_field(object, "expires_at");
    if (!expires_at) return std::nullopt;
    record.expires_at = *expires_at;
  }
  if (object.contains("files")) {
    const auto* files = core::array_field(object, "files");
    if (!files || files->size() > *file_count) return std::nullopt;
    for (const auto& item : *files) {
      auto file = transfer_file(item);
      if (!file) return std::nullopt;
      record.files.push_back(std::move(*file));
    }
  }
  return record;
}

}  // namespace

bool looks_like_transfer_id(std::string_view text) {
  return text.size() >= kMinTidBytes && text.size() <= kMaxTidBytes &&
         std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
         });
}

std::optional<TransferRecord> parse_transfer_record(std::string_view body) {
  const auto value = core::parse_json(body, 8);
  if (!value) return std::nullopt;
  return transfer_record(*value);
}

std::optional<std::vector<TransferRecord>> parse_transfer_records(std::string_view body, std::string_view key) {
  const auto value = core::parse_json(body, 8);
  if (!value || !value->is_object()) return std::nullopt;
  const auto* list = core::array_field(value->get_object(), key);
  if (!list) return std::nullopt;
  std::vector<TransferRecord> records;
  records.reserve(list->size());
  for (const auto& item : *list) {
    auto record = transfer_record(item);
    if (!record) return std::nullopt;
    records.push_back(std::move(*record));
  }
  return records;
}

}  // namespace peerdrop::cli
