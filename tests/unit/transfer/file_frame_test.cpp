#include "transfer/file_frame.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "core/errc.hpp"

namespace peerdrop::transfer {
namespace {

using core::Errc;

std::vector<std::uint8_t> frame(std::uint32_t handle, std::uint64_t offset, std::size_t data_bytes) {
  std::vector<std::uint8_t> data(data_bytes);
  for (std::size_t i = 0; i < data_bytes; ++i) data[i] = static_cast<std::uint8_t>(i * 13);
  std::vector<std::uint8_t> out;
  append_file_frame(handle, offset, data, out);
  return out;
}

TEST(FileFrame, ReadsTheBigEndianHeaderAndPointsAtTheBytes) {
  const std::vector<std::uint8_t> bytes{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                        0x08, 0x09, 0x0a, 0x0b, 0x0c, 'h',  'i'};
  const auto parsed = parse_file_frame(bytes);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->handle, 0x01020304u);
  EXPECT_EQ(parsed->offset, 0x05060708090a0b0cull);
  ASSERT_EQ(parsed->bytes.size(), 2u);
  EXPECT_EQ(parsed->bytes.data(), bytes.data() + 12);  // no copy
}

TEST(FileFrame, RoundTripsWhatItWrites) {
  const auto bytes = frame(7, 1'234'567'890'123ull, 1000);
  ASSERT_EQ(bytes.size(), FileFrame::kHeaderBytes + 1000);
  const auto parsed = parse_file_frame(bytes);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->handle, 7u);
  EXPECT_EQ(parsed->offset, 1'234'567'890'123ull);
  EXPECT_EQ(parsed->bytes[999], static_cast<std::uint8_t>(999 * 13));
}

TEST(FileFrame, AcceptsAHeaderWithoutBytes) {
  const auto parsed = parse_file_frame(frame(1, 0, 0));
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->bytes.empty());
}

TEST(FileFrame, RefusesEverythingShorterThanTheHeader) {
  for (std::size_t size = 0; size < FileFrame::kHeaderBytes; ++size) {
    const std::vector<std::uint8_t> bytes(size, 0xff);
    EXPECT_EQ(parse_file_frame(bytes).error(), Errc::malformed) << size;
  }
  EXPECT_EQ(parse_file_frame({}).error(), Errc::malformed);
}

TEST(FileFrame, TakesOneMebibyteOfDataAndNotOneByteMore) {
  EXPECT_TRUE(parse_file_frame(frame(1, 0, FileFrame::kMaxDataBytes)));
  EXPECT_EQ(parse_file_frame(frame(1, 0, FileFrame::kMaxDataBytes + 1)).error(), Errc::too_large);
  EXPECT_EQ(FileFrame::kMaxFrameBytes, 1024u * 1024u + 12u);
}

TEST(FileFrame, RefusesAnOffsetWhoseBytesWouldPassTheLargestOffset) {
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  EXPECT_TRUE(parse_file_frame(frame(1, kMax, 0)));
  EXPECT_TRUE(parse_file_frame(frame(1, kMax - 10, 10)));
  EXPECT_EQ(parse_file_frame(frame(1, kMax - 10, 11)).error(), Errc::malformed);
  EXPECT_EQ(parse_file_frame(frame(1, kMax, 1)).error(), Errc::malformed);
}

TEST(FileFrame, TakesEveryHandleValue) {
  for (const std::uint32_t handle : {0u, 1u, 0x7fffffffu, 0x80000000u, 0xffffffffu}) {
    const auto parsed = parse_file_frame(frame(handle, 0, 1));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->handle, handle);
  }
}

}  // namespace
}  // namespace peerdrop::transfer
