#include "core/base64.hpp"

#include <gtest/gtest.h>

namespace peerdrop::core {
namespace {

TEST(Base64, RoundTrips) {
  const std::vector<std::uint8_t> bytes{0, 1, 2, 250, 251, 252, 253};
  const auto text = base64_encode(bytes);
  EXPECT_EQ(text, "AAEC+vv8/Q==");
  EXPECT_EQ(base64_decode(text, 64), bytes);
}

TEST(Base64, RejectsMalformedAndOversizedInput) {
  EXPECT_FALSE(base64_decode("not base64!", 64));
  EXPECT_FALSE(base64_decode("AAEC+vv8/Q==trailing", 64));
  EXPECT_FALSE(base64_decode(std::string(100, 'A'), 16));  // would decode to 75 bytes
  EXPECT_TRUE(base64_decode("", 16));
}

}  // namespace
}  // namespace peerdrop::core
