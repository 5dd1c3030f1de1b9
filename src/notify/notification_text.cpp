#include "notify/notification_text.hpp"

#include <fmt/format.h>

#include <array>
#include <limits>
#include <vector>

#include "core/utf8.hpp"

namespace peerdrop::notify {
namespace {

constexpr std::string_view kReplacement = "\xef\xbf\xbd";  // U+FFFD
constexpr std::string_view kEllipsis = "\xe2\x80\xa6";     // U+2026

constexpr bool is_bidi_control(char32_t c) { return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069); }
// Breaks a line wherever it is shown: controls, NEL, and the Unicode line and paragraph separators.
constexpr bool is_space_like(char32_t c) {
  return c == U' ' || c == 0x2028 || c == 0x2029 || core::is_unsafe_in_name(c);
}

}  // namespace

std::string display_text(std::string_view untrusted, std::size_t max_chars) {
  std::string out;
  std::vector<std::size_t> starts;  // where each character of `out` begins
  bool space_pending = false;
  for (std::size_t i = 0; i < untrusted.size();) {
    const auto code = core::decode_utf8(untrusted, i);
    const std::string_view bytes = code.length == 0 ? kReplacement : untrusted.substr(i, code.length);
    i += code.length == 0 ? 1 : code.length;
    if (code.length != 0 && is_bidi_control(code.value)) continue;
    if (code.length != 0 && is_space_like(code.value)) {
      space_pending = !out.empty();
      continue;
    }
    if (space_pending) {
      starts.push_back(out.size());
      out += ' ';
      space_pending = false;
    }
    starts.push_back(out.size());
    out += bytes;
  }
  if (starts.size() <= max_chars) return out;
  if (max_chars == 0) return {};
  out.resize(starts[max_chars - 1]);
  if (!out.empty() && out.back() == ' ') out.pop_back();
  out += kEllipsis;
  return out;
}

std::string escape_markup(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string size_text(std::uint64_t bytes) {
  if (bytes < 1000) return fmt::format("{} byte{}", bytes, bytes == 1 ? "" : "s");
  constexpr std::array<const char*, 6> kUnits{"kB", "MB", "GB", "TB", "PB", "EB"};
  std::uint64_t unit = 1000;
  for (std::size_t i = 0;; ++i, unit *= 1000) {
    // Rounded to tenths and to wholes of this unit, without overflow (unit is at most 10^18).
    const auto quotient = bytes / unit;
    const auto rest = bytes % unit;
    const auto tenths = quotient * 10 + (rest * 10 + unit / 2) / unit;
    if (tenths < 100) return fmt::format("{}.{} {}", tenths / 10, tenths % 10, kUnits[i]);
    const auto whole = quotient + (rest + unit / 2) / unit;
    if (whole < 1000 || i + 1 == kUnits.size()) return fmt::format("{} {}", whole, kUnits[i]);
  }
}

NotificationText notification_text(const OfferNotice& offer, bool body_markup) {
  auto sender = display_text(offer.sender_name, kMaxSenderChars);
  if (sender.empty()) sender = "an unnamed computer";
  NotificationText text;
  text.summary = (offer.file_count == 1 ? "A file from " : "Files from ") + sender;
  const auto name = offer.file_count == 1 ? display_text(offer.file_name, kMaxFileNameChars) : std::string();
  const auto what = !name.empty() ? name : fmt::format("{} file{}", offer.file_count, offer.file_count == 1 ? "" : "s");
  text.body = what + ", " + size_text(offer.total_bytes);
  if (body_markup) text.body = escape_markup(text.body);
  return text;
}

std::optional<std::int32_t> expire_timeout_ms(const std::optional<core::Clock::TimePoint>& expires_at,
                                              core::Clock::TimePoint now) {
  if (!expires_at) return 0;
  if (*expires_at <= now) return std::nullopt;
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(*expires_at - now).count();
  return static_cast<std::int32_t>(std::min<std::int64_t>(left, std::numeric_limits<std::int32_t>::max()));
}

}  // namespace peerdrop::notify
