// Fuzzes the check of a health answer's JSON body (docs/protocol.md,
// "GET /api/health"): what a scanner believes about whoever answered.
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/base64.hpp"
#include "core/errc.hpp"
#include "discovery/announcement.hpp"
#include "discovery/health_client.hpp"
#include "fuzz_check.hpp"
#include "identity/peer_id.hpp"

namespace {

using peerdrop::core::Errc;
using peerdrop::core::make_error_code;
using peerdrop::discovery::Announcement;
using peerdrop::discovery::HealthClient;

constexpr std::size_t kMaxAnswerBytes = 4096;  // health_client.cpp

// A body that was accepted names the key it carries: an object with status "ok",
// an id that is derived from the packet's key and a packet that verifies alone.
void check_accepted(std::string_view body, const Announcement& a) {
  PEERDROP_FUZZ_CHECK(body.size() <= kMaxAnswerBytes);
  PEERDROP_FUZZ_CHECK(peerdrop::discovery::is_valid_name(a.name));
  PEERDROP_FUZZ_CHECK(a.http_port != 0 && a.discovery_port != 0);
  boost::system::error_code ec;
  const auto json = boost::json::parse(body, ec);
  PEERDROP_FUZZ_CHECK(!ec && json.is_object());
  const auto& object = json.get_object();
  const auto* status = object.if_contains("status");
  const auto* id = object.if_contains("id");
  const auto* packet = object.if_contains("announcement");
  PEERDROP_FUZZ_CHECK(status && status->is_string() && status->get_string() == "ok");
  PEERDROP_FUZZ_CHECK(id && id->is_string() && packet && packet->is_string());
  PEERDROP_FUZZ_CHECK(std::string_view(id->get_string()) == peerdrop::identity::derive_peer_id(a.public_key));
  const auto bytes = peerdrop::core::base64_decode(packet->get_string(), Announcement::kMaxPacketSize);
  PEERDROP_FUZZ_CHECK(bytes);
  const auto alone = peerdrop::discovery::decode_announcement(*bytes);
  PEERDROP_FUZZ_CHECK(alone && *alone == a);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto result = HealthClient::parse_health_body(body);
  const auto again = HealthClient::parse_health_body(body);
  PEERDROP_FUZZ_CHECK(result.has_value() == again.has_value());
  if (!result) {
    PEERDROP_FUZZ_CHECK(result.error() == again.error());
    PEERDROP_FUZZ_CHECK(result.error().category() == peerdrop::core::category());
    if (size > kMaxAnswerBytes) PEERDROP_FUZZ_CHECK(result.error() == make_error_code(Errc::too_large));
    return 0;
  }
  PEERDROP_FUZZ_CHECK(*result == *again);
  check_accepted(body, *result);
  return 0;
}
