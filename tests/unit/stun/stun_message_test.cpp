#include "stun/stun_message.hpp"

#include <gtest/gtest.h>

#include <boost/crc.hpp>

#include "core/errc.hpp"

namespace peerdrop::stun {
namespace {

// RFC 5769 section 2.1: a sample ICE Binding request (SOFTWARE, PRIORITY,
// ICE-CONTROLLED, USERNAME, MESSAGE-INTEGRITY, FINGERPRINT).
const std::vector<std::uint8_t> kRfc5769Request{
    0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87,
    0xdf, 0xae, 0x80, 0x22, 0x00, 0x10, 0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73, 0x74, 0x20, 0x63, 0x6c,
    0x69, 0x65, 0x6e, 0x74, 0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff, 0x80, 0x29, 0x00, 0x08, 0x93, 0x2f,
    0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36, 0x00, 0x06, 0x00, 0x09, 0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76,
    0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14, 0x9a, 0xea, 0xa7, 0x0c, 0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e,
    0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49, 0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf};
const TransactionId kRfc5769Id{0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

// The smallest Binding request a browser sends for server-reflexive candidates.
std::vector<std::uint8_t> plain_request() {
  std::vector<std::uint8_t> r{0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42};
  r.insert(r.end(), kRfc5769Id.begin(), kRfc5769Id.end());
  return r;
}

TEST(StunMessage, ParsesTheRfc5769SampleRequestAndChecksItsFingerprint) {
  const auto id = StunMessage::parse_binding_request(kRfc5769Request);
  ASSERT_TRUE(id) << id.error().message();
  EXPECT_EQ(*id, kRfc5769Id);
  auto tampered = kRfc5769Request;
  tampered[30] ^= 1;  // inside SOFTWARE: the fingerprint no longer matches
  EXPECT_FALSE(StunMessage::parse_binding_request(tampered));
}

TEST(StunMessage, ParsesAPlainBindingRequest) {
  EXPECT_EQ(*StunMessage::parse_binding_request(plain_request()), kRfc5769Id);
}

TEST(StunMessage, TellsStunFromDiscoveryAnnouncements) {
  EXPECT_TRUE(StunMessage::looks_like_stun(plain_request()));
  std::vector<std::uint8_t> announcement(200, 0);
  announcement[0] = 'P';
  announcement[1] = 'D';
  EXPECT_FALSE(StunMessage::looks_like_stun(announcement));
}

TEST(StunMessage, RejectsMalformedRequests) {
  auto r = plain_request();
  r[3] = 4;  // length says 4 more bytes, none follow
  EXPECT_FALSE(StunMessage::parse_binding_request(r));
  r = plain_request();
  r[1] = 0x11;  // a Binding indication, not a request
  EXPECT_FALSE(StunMessage::parse_binding_request(r));
  r = plain_request();
  r[4] = 0;  // wrong cookie (RFC 3489 clients)
  EXPECT_FALSE(StunMessage::parse_binding_request(r));
  r = plain_request();
  r.insert(r.end(), {0x80, 0x22, 0x00, 0x40});  // an attribute longer than the message
  r[3] = 4;
  EXPECT_FALSE(StunMessage::parse_binding_request(r));
  for (std::size_t n = 0; n < plain_request().size(); ++n) {
    EXPECT_FALSE(StunMessage::parse_binding_request(std::span(plain_request().data(), n))) << n;
  }
  EXPECT_EQ(StunMessage::parse_binding_request(std::vector<std::uint8_t>(2000, 0)).error(), core::Errc::too_large);
}

// RFC 5769 sections 2.2 and 2.3: the XOR-MAPPED-ADDRESS values for
// 192.0.2.1:32853 and 2001:db8:1234:5678:11:2233:4455:6677:32853.
TEST(StunMessage, EncodesXorMappedAddressLikeRfc5769) {
  const std::vector<std::uint8_t> v4{192, 0, 2, 1};
  const auto response = StunMessage::binding_success(kRfc5769Id, v4, 32853);
  const std::vector<std::uint8_t> expected_v4{0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43};
  EXPECT_TRUE(std::search(response.begin(), response.end(), expected_v4.begin(), expected_v4.end()) != response.end());

  const std::vector<std::uint8_t> v6{0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78,
                                     0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77};
  const auto response6 = StunMessage::binding_success(kRfc5769Id, v6, 32853);
  const std::vector<std::uint8_t> expected_v6{0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa, 0xa5, 0xd3,
                                              0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9};
  EXPECT_TRUE(std::search(response6.begin(), response6.end(), expected_v6.begin(), expected_v6.end()) !=
              response6.end());
}

TEST(StunMessage, AnswersWithAWellFormedSuccessResponse) {
  const std::vector<std::uint8_t> v4{198, 51, 100, 7};
  const auto r = StunMessage::binding_success(kRfc5769Id, v4, 40000);
  EXPECT_EQ(r[0], 0x01);
  EXPECT_EQ(r[1], 0x01);
  EXPECT_EQ(((r[2] << 8) | r[3]) + 20u, r.size());
  EXPECT_EQ(r.size() % 4, 0u);
  EXPECT_TRUE(std::equal(kRfc5769Id.begin(), kRfc5769Id.end(), r.begin() + 8));
  // FINGERPRINT: CRC-32 of everything before it, XOR 0x5354554e.
  boost::crc_32_type crc;
  crc.process_bytes(r.data(), r.size() - 8);
  const std::uint32_t expected = crc.checksum() ^ 0x5354554e;
  const std::uint32_t actual = (std::uint32_t{r[r.size() - 4]} << 24) | (r[r.size() - 3] << 16) |
                               (r[r.size() - 2] << 8) | r[r.size() - 1];
  EXPECT_EQ(actual, expected);
}

}  // namespace
}  // namespace peerdrop::stun
