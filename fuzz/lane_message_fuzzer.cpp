// Fuzzes the transfer lane's control messages (lane/lane_message.hpp): what
// a daemon believes of a `transfer` frame another daemon sent it.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string_view>
#include <variant>

#include "core/errc.hpp"
#include "fuzz_check.hpp"
#include "lane/lane_message.hpp"
#include "transfer/transfer_service.hpp"

namespace {

namespace lane = peerdrop::lane;
using peerdrop::core::Errc;

constexpr std::uint64_t kMaxSafeInteger = (std::uint64_t{1} << 53) - 1;

bool is_sha256_hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (const char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Everything a parsed message holds is within the documented limits.
struct CheckLimits {
  void operator()(const lane::Offer& m) const {
    PEERDROP_FUZZ_CHECK(m.files.size() <= lane::kMaxOfferedFiles);
    for (const auto& f : m.files) {
      PEERDROP_FUZZ_CHECK(f.path.size() <= lane::kMaxPathBytes);
      PEERDROP_FUZZ_CHECK(f.size <= kMaxSafeInteger);
    }
  }
  void operator()(const lane::Answer& m) const { reasons(m.code, m.reason); }
  void operator()(const lane::Want& m) const {
    PEERDROP_FUZZ_CHECK(m.files.size() <= lane::kMaxOfferedFiles);
    PEERDROP_FUZZ_CHECK(m.credit <= kMaxSafeInteger);
    std::set<std::uint32_t> seen;
    for (const auto& f : m.files) {
      PEERDROP_FUZZ_CHECK(seen.insert(f.index).second);
      PEERDROP_FUZZ_CHECK(f.offset <= kMaxSafeInteger);
    }
  }
  void operator()(const lane::Credit& m) const { PEERDROP_FUZZ_CHECK(m.credit <= kMaxSafeInteger); }
  void operator()(const lane::FileEnd& m) const {
    PEERDROP_FUZZ_CHECK(m.size <= kMaxSafeInteger);
    PEERDROP_FUZZ_CHECK(is_sha256_hex(m.sha256));
  }
  void operator()(const lane::FileLanded& m) const {
    PEERDROP_FUZZ_CHECK(m.name.size() <= lane::kMaxPathBytes);
    reasons(m.code, m.reason);
  }
  void operator()(const lane::Done&) const {}
  void operator()(const lane::Cancel& m) const { reasons(m.code, m.reason); }
  void operator()(const lane::Stalled& m) const { reasons(m.code, m.reason); }
  static void reasons(const std::string& code, const std::string& reason) {
    PEERDROP_FUZZ_CHECK(code.size() <= lane::kMaxReasonBytes);
    PEERDROP_FUZZ_CHECK(reason.size() <= lane::kMaxReasonBytes);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto result = lane::parse_lane_message(text);
  const auto again = lane::parse_lane_message(text);
  PEERDROP_FUZZ_CHECK(result.has_value() == again.has_value());
  if (!result) {
    PEERDROP_FUZZ_CHECK(result.error() == again.error());
    PEERDROP_FUZZ_CHECK(result.error() == peerdrop::core::make_error_code(Errc::malformed) ||
                        result.error() == peerdrop::core::make_error_code(Errc::too_large));
    if (size > lane::kMaxLaneMessageBytes) {
      PEERDROP_FUZZ_CHECK(result.error() == peerdrop::core::make_error_code(Errc::too_large));
    }
    return 0;
  }
  PEERDROP_FUZZ_CHECK(size <= lane::kMaxLaneMessageBytes);
  const auto encoded = lane::serialize(*result);
  PEERDROP_FUZZ_CHECK(encoded == lane::serialize(*again));
  const auto tid = std::visit([](const auto& m) { return m.tid; }, *result);
  PEERDROP_FUZZ_CHECK(peerdrop::transfer::TransferService::is_valid_transfer_id(tid));
  std::visit(CheckLimits{}, *result);
  // What this daemon would send for it reads back as the same message (unless
  // writing it out made it longer than a message may be: numbers written as
  // 1e3, fields left out).
  const auto round_trip = lane::parse_lane_message(encoded);
  if (encoded.size() > lane::kMaxLaneMessageBytes) {
    PEERDROP_FUZZ_CHECK(!round_trip && round_trip.error() == peerdrop::core::make_error_code(Errc::too_large));
    return 0;
  }
  PEERDROP_FUZZ_CHECK(round_trip.has_value());
  PEERDROP_FUZZ_CHECK(round_trip->index() == result->index());
  PEERDROP_FUZZ_CHECK(lane::serialize(*round_trip) == encoded);
  return 0;
}
