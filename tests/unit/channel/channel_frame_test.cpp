#include "channel/channel_frame.hpp"

#include <gtest/gtest.h>

#include "core/errc.hpp"

namespace peerdrop::channel {
namespace {

std::array<std::uint8_t, kFrameHeaderBytes> header_of(const std::vector<std::uint8_t>& frame) {
  std::array<std::uint8_t, kFrameHeaderBytes> out{};
  std::copy_n(frame.begin(), kFrameHeaderBytes, out.begin());
  return out;
}

TEST(ChannelFrame, IsALengthATypeAndThePayload) {
  const std::vector<std::uint8_t> payload{1, 2, 3};
  const auto frame = make_frame(FrameType::envelopes, payload);
  EXPECT_EQ(frame, (std::vector<std::uint8_t>{0, 0, 0, 4, 2, 1, 2, 3}));
  const auto header = parse_frame_header(header_of(frame));
  ASSERT_TRUE(header);
  EXPECT_EQ(header->type, FrameType::envelopes);
  EXPECT_EQ(header->payload_bytes, 3u);
  EXPECT_EQ(make_frame(FrameType::ping, {}), (std::vector<std::uint8_t>{0, 0, 0, 1, 4}));
}

TEST(ChannelFrame, RefusesAnEmptyOrOversizedFrameAndSkipsUnknownTypes) {
  EXPECT_EQ(parse_frame_header({{0, 0, 0, 0, 1}}).error(), core::Errc::malformed);
  const auto max = static_cast<std::uint32_t>(kMaxFramePayloadBytes + 1);
  EXPECT_TRUE(parse_frame_header({{std::uint8_t(max >> 24), std::uint8_t(max >> 16), std::uint8_t(max >> 8),
                                   std::uint8_t(max), 2}}));
  const auto over = max + 1;
  EXPECT_EQ(parse_frame_header({{std::uint8_t(over >> 24), std::uint8_t(over >> 16), std::uint8_t(over >> 8),
                                 std::uint8_t(over), 2}})
                .error(),
            core::Errc::too_large);
  EXPECT_EQ(parse_frame_header({{0xff, 0xff, 0xff, 0xff, 2}}).error(), core::Errc::too_large);
  const auto unknown = parse_frame_header({{0, 0, 0, 1, 200}});
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(is_known_type(unknown->type));
  EXPECT_TRUE(is_known_type(FrameType::hello));
}

TEST(ChannelFrame, CarriesAU64ForAckPingAndPong) {
  EXPECT_EQ(parse_u64_payload(u64_payload(0x0102030405060708)).value(), 0x0102030405060708u);
  EXPECT_EQ(u64_payload(1), (std::vector<std::uint8_t>{0, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(parse_u64_payload(std::vector<std::uint8_t>(7)).error(), core::Errc::malformed);
  EXPECT_EQ(parse_u64_payload(std::vector<std::uint8_t>(9)).error(), core::Errc::malformed);
}

}  // namespace
}  // namespace peerdrop::channel
