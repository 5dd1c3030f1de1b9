#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "notify/offer_notice.hpp"

namespace peerdrop::notify {

// The two lines of an offer's notification: "Files from kitchen" and
// "3 files, 12 MB" (or "report.pdf, 12 MB" for one file).
struct NotificationText {
  std::string summary;  // plain text (the specification gives the summary no markup)
  std::string body;     // markup-escaped when the server reads markup in bodies
};

// Longest names shown, in characters; longer ones end in "…".
inline constexpr std::size_t kMaxSenderChars = 64;
inline constexpr std::size_t kMaxFileNameChars = 80;

// The text for `offer`. `body_markup`: the server reads the body as markup
// (its capability "body-markup"), so the peer's text in it is escaped.
NotificationText notification_text(const OfferNotice& offer, bool body_markup);

// Untrusted text made fit for one line shown to a person: invalid UTF-8
// becomes U+FFFD, line breaks, tabs and other controls a space, bidi
// overrides and isolates are dropped, runs of spaces become one, ends are
// trimmed, and more than `max_chars` characters are cut to max_chars - 1 and "…".
std::string display_text(std::string_view untrusted, std::size_t max_chars);

// `text` with &, <, >, " and ' as entities: the body markup of the
// Notifications specification (a subset of XML) shows it as it is.
std::string escape_markup(std::string_view text);

// A size for people, in SI units as file managers show them: "512 bytes",
// "1 byte", "1.5 kB", "12 MB", "3.2 GB".
std::string size_text(std::uint64_t bytes);

// The notification's expire_timeout in milliseconds: 0 (never) for an offer
// without expiry, else the time left (at least 1 ms, at most INT32_MAX);
// nothing when the offer has already expired.
std::optional<std::int32_t> expire_timeout_ms(const std::optional<core::Clock::TimePoint>& expires_at,
                                              core::Clock::TimePoint now);

}  // namespace peerdrop::notify
