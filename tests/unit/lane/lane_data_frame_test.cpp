#include "lane/lane_data_frame.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "core/errc.hpp"

namespace peerdrop::lane {
namespace {

using core::Errc;

const std::string kTid = "tid_0123456789abcdefghij";  // 24 characters

std::vector<std::uint8_t> frame(std::string_view tid, std::uint32_t gen, std::uint32_t index, std::uint64_t offset,
                                std::size_t data_bytes, std::uint8_t fill = 0x5a) {
  std::vector<std::uint8_t> out;
  append_data_header(tid, gen, index, offset, out);
  out.insert(out.end(), data_bytes, fill);
  return out;
}

boost::system::error_code error_of(std::span<const std::uint8_t> payload) {
  const auto parsed = parse_data_frame(payload);
  return parsed ? boost::system::error_code{} : parsed.error();
}

TEST(LaneDataFrame, WritesTheDocumentedLayout) {
  const auto bytes = frame(kTid, 0x01020304, 0x0a0b0c0d, 0x1122334455667788, 2);
  ASSERT_EQ(bytes.size(), DataFrame::kFixedBytes + kTid.size() + 2);
  EXPECT_EQ(bytes[0], kTid.size());
  EXPECT_EQ(std::string(bytes.begin() + 1, bytes.begin() + 1 + kTid.size()), kTid);
  const std::vector<std::uint8_t> fields(bytes.begin() + 1 + kTid.size(), bytes.end() - 2);
  EXPECT_EQ(fields, (std::vector<std::uint8_t>{1, 2, 3, 4, 0x0a, 0x0b, 0x0c, 0x0d, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
                                               0x77, 0x88}));
}

TEST(LaneDataFrame, RoundTrips) {
  const auto bytes = frame(kTid, 7, 42, 1'000'000, 300, 0xab);
  const auto parsed = parse_data_frame(bytes);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->tid, kTid);
  EXPECT_EQ(parsed->gen, 7u);
  EXPECT_EQ(parsed->index, 42u);
  EXPECT_EQ(parsed->offset, 1'000'000u);
  ASSERT_EQ(parsed->bytes.size(), 300u);
  EXPECT_EQ(parsed->bytes.data(), bytes.data() + DataFrame::kFixedBytes + kTid.size());  // in place
  EXPECT_EQ(parsed->bytes[299], 0xab);
}

TEST(LaneDataFrame, TakesAnEmptyDataPartAndTheLimits) {
  const auto empty = parse_data_frame(frame(kTid, 0, 0, 0, 0));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->bytes.empty());
  constexpr auto kMax32 = std::numeric_limits<std::uint32_t>::max();
  const auto maxed = parse_data_frame(frame(std::string(32, 'z'), kMax32, kMax32,
                                            std::numeric_limits<std::uint64_t>::max(), 0));
  ASSERT_TRUE(maxed);
  EXPECT_EQ(maxed->gen, kMax32);
  EXPECT_EQ(maxed->index, kMax32);
  EXPECT_EQ(maxed->offset, std::numeric_limits<std::uint64_t>::max());
  EXPECT_TRUE(parse_data_frame(frame(kTid, 0, 0, 0, DataFrame::kMaxDataBytes)));
}

TEST(LaneDataFrame, RefusesTruncatedHeaders) {
  const auto whole = frame(kTid, 1, 2, 3, 0);
  for (std::size_t n = 0; n < whole.size(); ++n) {
    EXPECT_EQ(error_of(std::span(whole.data(), n)), Errc::malformed) << n;
  }
}

TEST(LaneDataFrame, RefusesATidLengthPastTheEnd) {
  auto bytes = frame(kTid, 1, 2, 3, 0);
  bytes[0] = 255;
  EXPECT_EQ(error_of(bytes), Errc::malformed);
  bytes[0] = static_cast<std::uint8_t>(kTid.size() + 1);  // the header would end one byte past the payload
  EXPECT_EQ(error_of(bytes), Errc::malformed);
}

TEST(LaneDataFrame, RefusesBadTransferIds) {
  for (const std::string tid : {std::string(), std::string(21, 'a'), std::string(33, 'a'), std::string(200, 'a'),
                                std::string("tid_0123456789abcdefgh/j"), std::string("tid_0123456789abcdefgh\0j", 24),
                                std::string("tid_0123456789abcdefgh.j")}) {
    EXPECT_EQ(error_of(frame(tid, 0, 0, 0, 10)), Errc::malformed) << tid;
  }
}

TEST(LaneDataFrame, RefusesDataOverTheLimit) {
  EXPECT_EQ(error_of(frame(kTid, 0, 0, 0, DataFrame::kMaxDataBytes + 1)), Errc::too_large);
}

TEST(LaneDataFrame, RefusesAnOffsetWhoseEndOverflows) {
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  EXPECT_TRUE(parse_data_frame(frame(kTid, 0, 0, kMax - 10, 10)));
  EXPECT_EQ(error_of(frame(kTid, 0, 0, kMax - 10, 11)), Errc::malformed);
  EXPECT_EQ(error_of(frame(kTid, 0, 0, kMax, 1)), Errc::malformed);
}

}  // namespace
}  // namespace peerdrop::lane
