#include "cli/transfer_text.hpp"

#include <array>
#include <cmath>
#include <cstdio>

#include "cli/terminal_text.hpp"
#include "identity/peer_id.hpp"

namespace peerdrop::cli {
namespace {

std::string one_decimal(double value) {
  std::array<char, 32> text{};
  std::snprintf(text.data(), text.size(), "%.1f", value);
  return text.data();
}

std::string two_digits(long long value) { return (value < 10 ? "0" : "") + std::to_string(value); }

}  // namespace

std::string size_text(std::uint64_t bytes) {
  static constexpr std::array<const char*, 5> kUnits{"KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  auto value = static_cast<double>(bytes) / 1024;
  std::size_t unit = 0;
  // 1023.96 KiB would print as "1024.0 KiB": move up a unit before the rounding does.
  while (value >= 1023.95 && unit + 1 < kUnits.size()) {
    value /= 1024;
    ++unit;
  }
  return one_decimal(value) + " " + kUnits[unit];
}

std::string rate_text(double bytes_per_second) {
  if (!std::isfinite(bytes_per_second) || bytes_per_second < 0) bytes_per_second = 0;
  return size_text(static_cast<std::uint64_t>(std::llround(std::min(bytes_per_second, 1e18)))) + "/s";
}

std::string duration_text(std::chrono::milliseconds elapsed) {
  const auto ms = std::max<long long>(elapsed.count(), 0);
  if (ms < 60'000) return one_decimal(static_cast<double>(ms) / 1000) + " s";
  const auto seconds = ms / 1000;
  if (seconds < 3600) return std::to_string(seconds / 60) + " min " + std::to_string(seconds % 60) + " s";
  return std::to_string(seconds / 3600) + " h " + std::to_string(seconds % 3600 / 60) + " min";
}

std::string eta_text(std::chrono::seconds left) {
  const auto seconds = std::max<long long>(left.count(), 0);
  if (seconds < 3600) return std::to_string(seconds / 60) + ":" + two_digits(seconds % 60);
  return std::to_string(seconds / 3600) + ":" + two_digits(seconds % 3600 / 60) + ":" + two_digits(seconds % 60);
}

std::string files_text(std::uint64_t count) { return std::to_string(count) + (count == 1 ? " file" : " files"); }

std::string short_tid(const std::string& tid) { return tid.substr(0, 8); }

std::string tid_argument(const std::string& tid) { return (tid.starts_with('-') ? "-- " : "") + short_tid(tid); }

std::string peer_text(const TransferRecord& transfer) {
  const auto id = identity::short_id(transfer.peer);
  return transfer.peer_name.empty() ? id + "…" : printable(transfer.peer_name) + " (" + id + ")";
}

std::string peer_word(const TransferRecord& transfer) {
  return transfer.peer_name.empty() ? identity::short_id(transfer.peer) + "…" : printable(transfer.peer_name);
}

int percent_done(std::uint64_t done_bytes, std::uint64_t total_bytes) {
  if (total_bytes == 0 || done_bytes >= total_bytes) return 100;
  return static_cast<int>(static_cast<long double>(done_bytes) * 100 / static_cast<long double>(total_bytes));
}

std::string progress_line(std::uint64_t done_bytes, std::uint64_t total_bytes, std::optional<double> bytes_per_second) {
  constexpr int kBarWidth = 10;
  const auto percent = percent_done(done_bytes, total_bytes);
  const auto filled = static_cast<std::size_t>(percent * kBarWidth / 100);
  const auto percent_text = std::to_string(percent) + "%";
  std::string line = "[" + std::string(filled, '#') + std::string(kBarWidth - filled, ' ') + "] " +
                     std::string(4 - percent_text.size(), ' ') + percent_text + "  " + size_text(done_bytes) + " of " +
                     size_text(total_bytes);
  if (bytes_per_second) {
    line += "  " + rate_text(*bytes_per_second);
    if (*bytes_per_second > 0 && done_bytes <= total_bytes) {
      const auto left = static_cast<double>(total_bytes - done_bytes) / *bytes_per_second;
      if (left < 100.0 * 3600) line += "  ETA " + eta_text(std::chrono::seconds(std::llround(std::ceil(left))));
    }
  }
  return line;
}

}  // namespace peerdrop::cli
