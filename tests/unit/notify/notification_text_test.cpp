#include "notify/notification_text.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace peerdrop::notify {
namespace {

using namespace std::chrono_literals;

std::size_t characters(const std::string& s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return n;
}

TEST(NotificationText, SaysWhoSendsHowManyFilesAndHowMuch) {
  const auto text = notification_text(
      OfferNotice{.key = "k", .sender_name = "kitchen", .file_count = 3, .total_bytes = 12'000'000}, true);
  EXPECT_EQ(text.summary, "Files from kitchen");
  EXPECT_EQ(text.body, "3 files, 12 MB");
}

TEST(NotificationText, NamesTheOneFileOfAnOffer) {
  const auto text = notification_text(
      OfferNotice{.sender_name = "kitchen", .file_count = 1, .total_bytes = 512, .file_name = "report.pdf"}, true);
  EXPECT_EQ(text.summary, "A file from kitchen");
  EXPECT_EQ(text.body, "report.pdf, 512 bytes");
  // A name with nothing left to show: counted instead.
  EXPECT_EQ(
      notification_text(OfferNotice{.sender_name = "k", .file_count = 1, .total_bytes = 1, .file_name = "\n\t"}, true)
          .body,
      "1 file, 1 byte");
}

TEST(NotificationText, APeerWithoutANameIsStillNamed) {
  EXPECT_EQ(notification_text(OfferNotice{.sender_name = " \n\xe2\x80\xae", .file_count = 2}, true).summary,
            "Files from an unnamed computer");
}

TEST(NotificationText, EscapesThePeersTextInAMarkupBody) {
  const OfferNotice offer{
      .sender_name = "<b>kitchen</b>", .file_count = 1, .total_bytes = 1'500, .file_name = "a&b <i>x</i>.txt"};
  const auto markup = notification_text(offer, true);
  EXPECT_EQ(markup.body, "a&amp;b &lt;i&gt;x&lt;/i&gt;.txt, 1.5 kB");
  // The summary is plain text by the specification: servers show it as it is.
  EXPECT_EQ(markup.summary, "A file from <b>kitchen</b>");
  // A server that reads bodies as plain text gets the text itself.
  EXPECT_EQ(notification_text(offer, false).body, "a&b <i>x</i>.txt, 1.5 kB");
}

TEST(NotificationText, CapsLongNames) {
  const auto text = notification_text(OfferNotice{.sender_name = std::string(500, 'k'),
                                                  .file_count = 1,
                                                  .total_bytes = 0,
                                                  .file_name = std::string(5'000, 'f')},
                                      true);
  EXPECT_EQ(text.summary, "A file from " + std::string(kMaxSenderChars - 1, 'k') + "\xe2\x80\xa6");
  EXPECT_EQ(text.body, std::string(kMaxFileNameChars - 1, 'f') + "\xe2\x80\xa6, 0 bytes");
}

TEST(DisplayText, KeepsOrdinaryText) { EXPECT_EQ(display_text("Küche – 台所 😀", 64), "Küche – 台所 😀"); }

TEST(DisplayText, MakesOneLineOfControlsAndSpaces) {
  EXPECT_EQ(display_text("  kit\n\tchen \r\n ", 64), "kit chen");
  EXPECT_EQ(display_text("a\x1b[31mb", 64), "a [31mb");     // no terminal escapes
  EXPECT_EQ(display_text("a\u0085b\u2028c", 64), "a b c");  // NEL, line separator
  EXPECT_EQ(display_text(std::string("a\0b", 3), 64), "a b");
}

TEST(DisplayText, DropsBidiOverridesThatWouldDisguiseAName) {
  EXPECT_EQ(display_text("photo\xe2\x80\xaegpj.exe", 64), "photogpj.exe");  // U+202E
  EXPECT_EQ(display_text("a\u2066b\u2069", 64), "ab");                      // isolates
}

TEST(DisplayText, ReplacesInvalidUtf8) {
  const std::string bad = std::string("a\xff") + "b\xc0\xaf";  // a stray byte, an overlong '/'
  const std::string replaced = "\xef\xbf\xbd";                 // U+FFFD
  EXPECT_EQ(display_text(bad, 64), "a" + replaced + "b" + replaced + replaced);
}

TEST(DisplayText, CutsAtACharacterWithAnEllipsis) {
  EXPECT_EQ(display_text("abcdef", 6), "abcdef");
  EXPECT_EQ(display_text("abcdefg", 6), "abcde\xe2\x80\xa6");
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "\xc3\xa9";  // é, two bytes
  const auto cut = display_text(accents, 10);
  EXPECT_EQ(cut, accents.substr(0, 9 * 2) + "\xe2\x80\xa6");
  EXPECT_EQ(characters(cut), 10u);
  EXPECT_EQ(display_text("abcd efgh", 6), "abcd\xe2\x80\xa6");  // no space before the ellipsis
  EXPECT_EQ(display_text("abc", 0), "");
}

TEST(EscapeMarkup, EscapesWhatMarkupReads) {
  EXPECT_EQ(escape_markup("<a href=\"x\">&amp;</a>"), "&lt;a href=\"x\"&gt;&amp;amp;&lt;/a&gt;");
  EXPECT_EQ(escape_markup("plain"), "plain");
}

TEST(SizeText, ShowsSizesAsFileManagersDo) {
  EXPECT_EQ(size_text(0), "0 bytes");
  EXPECT_EQ(size_text(1), "1 byte");
  EXPECT_EQ(size_text(999), "999 bytes");
  EXPECT_EQ(size_text(1'000), "1.0 kB");
  EXPECT_EQ(size_text(1'500), "1.5 kB");
  EXPECT_EQ(size_text(9'949), "9.9 kB");
  EXPECT_EQ(size_text(9'950), "10 kB");
  EXPECT_EQ(size_text(999'499), "999 kB");
  EXPECT_EQ(size_text(999'500), "1.0 MB");  // not "1000 kB"
  EXPECT_EQ(size_text(12'000'000), "12 MB");
  EXPECT_EQ(size_text(3'210'000'000), "3.2 GB");
  EXPECT_EQ(size_text(std::numeric_limits<std::uint64_t>::max()), "18 EB");
}

TEST(ExpireTimeout, IsTheOffersTimeLeft) {
  const core::Clock::TimePoint now{std::chrono::hours(1000)};
  EXPECT_EQ(expire_timeout_ms(std::nullopt, now), 0);  // no expiry: the notification stays
  EXPECT_EQ(expire_timeout_ms(now + 90s, now), 90'000);
  EXPECT_EQ(expire_timeout_ms(now + 500us, now), 1);  // not 0, which would mean "never"
  EXPECT_EQ(expire_timeout_ms(now + std::chrono::hours(24 * 30), now), std::numeric_limits<std::int32_t>::max());
  EXPECT_EQ(expire_timeout_ms(now, now), std::nullopt);  // expired: not shown
  EXPECT_EQ(expire_timeout_ms(now - 1s, now), std::nullopt);
}

}  // namespace
}  // namespace peerdrop::notify
