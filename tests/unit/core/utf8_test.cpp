#include "core/utf8.hpp"

#include <gtest/gtest.h>

namespace peerdrop::core {
namespace {

TEST(Utf8, DecodesOneToFourByteSequences) {
  EXPECT_EQ(decode_utf8("a", 0).length, 1u);
  EXPECT_EQ(decode_utf8("\xc3\xa9", 0).value, U'é');
  EXPECT_EQ(decode_utf8("\xe2\x82\xac", 0).value, U'€');
  const auto emoji = decode_utf8("x\xf0\x9f\x98\x80", 1);
  EXPECT_EQ(emoji.length, 4u);
  EXPECT_EQ(emoji.value, U'\U0001F600');
}

TEST(Utf8, RefusesMalformedSequences) {
  EXPECT_EQ(decode_utf8("\x80", 0).length, 0u);              // a lone continuation byte
  EXPECT_EQ(decode_utf8("\xc0\xaf", 0).length, 0u);          // overlong '/'
  EXPECT_EQ(decode_utf8("\xed\xa0\x80", 0).length, 0u);      // a surrogate
  EXPECT_EQ(decode_utf8("\xf4\x90\x80\x80", 0).length, 0u);  // above U+10FFFF
  EXPECT_EQ(decode_utf8("\xe2\x82", 0).length, 0u);          // cut short
  EXPECT_EQ(decode_utf8("\xff", 0).length, 0u);
}

TEST(Utf8, NamesMayNotCarryControlsOrBidiOverrides) {
  EXPECT_TRUE(is_unsafe_in_name(U'\0'));
  EXPECT_TRUE(is_unsafe_in_name(U'\x7f'));
  EXPECT_TRUE(is_unsafe_in_name(U'\x85'));
  EXPECT_TRUE(is_unsafe_in_name(U'\u202e'));
  EXPECT_TRUE(is_unsafe_in_name(U'\u2066'));
  EXPECT_FALSE(is_unsafe_in_name(U' '));
  EXPECT_FALSE(is_unsafe_in_name(U'é'));
  EXPECT_FALSE(is_unsafe_in_name(U'\u202f'));
}

}  // namespace
}  // namespace peerdrop::core
