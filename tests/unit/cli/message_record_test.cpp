#include "cli/message_record.hpp"

#include <gtest/gtest.h>

namespace peerdrop::cli {
namespace {

TEST(MessageRecord, ReadsWhatMsgNeeds) {
  const auto record = parse_message_record(
      R"({"seq":3,"id":"abc","peer":"P","direction":"out","text":"x","state":"queued","expiresAt":1764000000000})");
  ASSERT_TRUE(record);
  EXPECT_EQ(record->id, "abc");
  EXPECT_EQ(record->peer, "P");
  EXPECT_EQ(record->state, "queued");
  EXPECT_EQ(record->expires_at_ms, 1'764'000'000'000);
  EXPECT_TRUE(parse_message_record(R"({"id":"abc","peer":"P","state":"delivered","deliveredAt":5})"));
}

TEST(MessageRecord, RefusesAnAnswerItDoesNotUnderstand) {
  for (const char* bad : {"", "[]", "{}", R"({"id":"a","peer":"P"})", R"({"id":1,"peer":"P","state":"queued"})",
                          R"({"id":"a","peer":"P","state":"queued","expiresAt":-1})",
                          R"({"id":"a","peer":"P","state":"queued","expiresAt":"soon"})"}) {
    EXPECT_FALSE(parse_message_record(bad)) << bad;
  }
}

}  // namespace
}  // namespace peerdrop::cli
