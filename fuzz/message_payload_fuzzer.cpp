// Fuzzes the reader of a peer's `msg:text` payload (docs/protocol.md,
// "Messages"): whatever it accepts is within the documented limits and
// reads back the same after serialize().
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/utf8.hpp"
#include "fuzz_check.hpp"
#include "messages/message_id.hpp"
#include "messages/message_payload.hpp"
#include "messages/message_text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using peerdrop::messages::MessagePayload;
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  const auto parsed = peerdrop::messages::parse_message_payload(json);
  if (!parsed) return 0;
  PEERDROP_FUZZ_CHECK(size <= MessagePayload::kMaxBytes);
  PEERDROP_FUZZ_CHECK(peerdrop::messages::is_valid_message_id(parsed->id));
  PEERDROP_FUZZ_CHECK(!peerdrop::messages::check_message_text(parsed->text));
  PEERDROP_FUZZ_CHECK(!parsed->text.empty() && parsed->text.size() <= peerdrop::messages::kMaxTextBytes);
  PEERDROP_FUZZ_CHECK(parsed->sent_at >= 0);
  // What we would send again fits the limit and reads back the same.
  const auto again = serialize(*parsed);
  PEERDROP_FUZZ_CHECK(again.size() <= MessagePayload::kMaxBytes);
  const auto reparsed = peerdrop::messages::parse_message_payload(again);
  PEERDROP_FUZZ_CHECK(reparsed && *reparsed == *parsed);
  return 0;
}
