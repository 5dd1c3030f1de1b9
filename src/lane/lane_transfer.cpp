#include "lane/lane_transfer.hpp"

#include <array>
#include <limits>
#include <utility>

namespace peerdrop::lane {

namespace {

constexpr std::array<std::pair<LaneState, std::string_view>, 7> kNames{{
    {LaneState::offered, "offered"},
    {LaneState::accepted, "accepted"},
    {LaneState::done, "done"},
    {LaneState::declined, "declined"},
    {LaneState::expired, "expired"},
    {LaneState::cancelled, "cancelled"},
    {LaneState::failed, "failed"},
}};

}  // namespace

std::string_view to_string(LaneState state) {
  for (const auto& [s, name] : kNames) {
    if (s == state) return name;
  }
  return "failed";
}

bool parse_state(std::string_view text, LaneState& state) {
  for (const auto& [s, name] : kNames) {
    if (name == text) {
      state = s;
      return true;
    }
  }
  return false;
}

bool is_final(LaneState state) { return state != LaneState::offered && state != LaneState::accepted; }

std::uint64_t LaneTransfer::total_bytes() const {
  // A peer's offer may name sizes whose sum passes 2^64 - 1: it stays there instead of wrapping to a small number.
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t total = 0;
  for (const auto& f : files) total = f.size > kMax - total ? kMax : total + f.size;
  return total;
}

}  // namespace peerdrop::lane
