#include "messages/message_payload.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "core/errc.hpp"
#include "messages/message_id.hpp"
#include "messages/message_text.hpp"

namespace peerdrop::messages {
namespace {

const std::string kId = "0123456789abcdef0123456789abcdef";

TEST(MessagePayloadTest, RoundTrips) {
  const MessagePayload p{.id = kId, .text = "Hello \"you\"\n\u00e9\u4e2d\U0001F600", .sent_at = 1'764'000'000'000};
  const auto parsed = parse_message_payload(serialize(p));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, p);
}

TEST(MessagePayloadTest, IgnoresFieldsItDoesNotKnow) {
  const auto parsed = parse_message_payload(R"({"id":")" + kId + R"(","text":"x","sentAt":0,"v":2,"extra":[1]})");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->text, "x");
}

TEST(MessagePayloadTest, RefusesWhatTheProtocolDoesNot) {
  for (const std::string& bad : std::vector<std::string>{
           std::string("[]"), std::string("{"), std::string("null"), R"({"text":"x","sentAt":1})",
        R"({"id":"short","text":"x","sentAt":1})", R"({"id":")" + kId + R"(","text":"","sentAt":1})",
        R"({"id":")" + kId + R"(","text":"x","sentAt":-1})", R"({"id":")" + kId + R"(","text":"x","sentAt":1.5})",
        R"({"id":")" + kId + R"(","text":"x","sentAt":"1"})", R"({"id":")" + kId + R"(","text":"\u0000","sentAt":1})",
        R"({"id":")" + kId + R"(","text":"\ud800","sentAt":1})", R"({"id":")" + kId + R"(","text":5,"sentAt":1})"}) {
    EXPECT_EQ(parse_message_payload(bad).error(), core::Errc::malformed) << bad;
  }
  const auto over = R"({"id":")" + kId + R"(","text":")" + std::string(kMaxTextBytes + 1, 'x') + R"(","sentAt":1})";
  EXPECT_EQ(parse_message_payload(over).error(), core::Errc::too_large);
  EXPECT_EQ(parse_message_payload(std::string(MessagePayload::kMaxBytes + 1, ' ')).error(), core::Errc::too_large);
}

TEST(MessagePayloadTest, TheLongestTextFullyEscapedStillFits) {
  const MessagePayload p{.id = std::string(64, 'z'), .text = std::string(kMaxTextBytes, '"'),
                         .sent_at = INT64_MAX};
  const auto text = serialize(p);
  EXPECT_LE(text.size(), MessagePayload::kMaxBytes);
  EXPECT_TRUE(parse_message_payload(text));
}

TEST(MessageTextTest, AllowsLineBreaksAndTabsOnly) {
  EXPECT_FALSE(check_message_text("a\tb\r\nc"));
  EXPECT_EQ(check_message_text("a\x1b[31m"), core::Errc::malformed);
  EXPECT_EQ(check_message_text("\x7f"), core::Errc::malformed);
  EXPECT_EQ(check_message_text("\xc2\x85"), core::Errc::malformed) << "C1 control";
  EXPECT_EQ(check_message_text("\xc0\xaf"), core::Errc::malformed) << "overlong";
}

TEST(MessageIdTest, MakesValidDistinctIds) {
  const auto a = make_message_id();
  const auto b = make_message_id();
  EXPECT_NE(a, b);
  EXPECT_TRUE(is_valid_message_id(a));
  EXPECT_FALSE(is_valid_message_id("0123456789abcde"));
  EXPECT_FALSE(is_valid_message_id(std::string(65, 'a')));
  EXPECT_FALSE(is_valid_message_id("0123456789abcdef/"));
  EXPECT_TRUE(is_valid_message_id("ABCDEFGHIJKLMNOP_-"));
}

}  // namespace
}  // namespace peerdrop::messages
