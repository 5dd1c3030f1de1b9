#include "core/base32.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace peerdrop::core {
namespace {

std::string encode(const std::string& text) {
  return base32_encode(std::vector<std::uint8_t>(text.begin(), text.end()));
}

// RFC 4648 section 10 test vectors, without padding.
TEST(Base32, MatchesRfc4648Vectors) {
  EXPECT_EQ(encode(""), "");
  EXPECT_EQ(encode("f"), "MY");
  EXPECT_EQ(encode("fo"), "MZXQ");
  EXPECT_EQ(encode("foo"), "MZXW6");
  EXPECT_EQ(encode("foob"), "MZXW6YQ");
  EXPECT_EQ(encode("fooba"), "MZXW6YTB");
  EXPECT_EQ(encode("foobar"), "MZXW6YTBOI");
}

}  // namespace
}  // namespace peerdrop::core
