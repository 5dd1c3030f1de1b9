#include "discovery/announcement.hpp"

#include <gtest/gtest.h>

#include "core/errc.hpp"
#include "discovery/announcement_signer.hpp"

namespace peerdrop::discovery {
namespace {

class AnnouncementTest : public ::testing::Test {
 protected:
  Announcement sample() const {
    Announcement a;
    a.kind = AnnouncementKind::announce;
    a.instance = 0x0102030405060708ull;
    a.timestamp_ms = 1'764'000'000'123ull;
    a.counter = 7;
    a.http_port = 3001;
    a.discovery_port = 3002;
    a.public_key = key_.public_key();
    a.name = "Ada's laptop ✓";
    return a;
  }
  std::vector<std::uint8_t> packet() const { return encode_announcement(sample(), key_); }

  identity::Identity key_ = identity::Identity::generate();
};

TEST_F(AnnouncementTest, RoundTripsEveryField) {
  const auto bytes = packet();
  EXPECT_EQ(bytes.size(), 129 + sample().name.size());
  const auto decoded = decode_announcement(bytes);
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(*decoded, sample());
}

TEST_F(AnnouncementTest, HasTheDocumentedLayout) {
  const auto bytes = packet();
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 4), "PDRP");
  EXPECT_EQ(bytes[4], 2);  // version
  EXPECT_EQ(bytes[5], 1);  // kind: announce
  EXPECT_EQ(bytes[27], 7);  // counter, big-endian, at 24..27
  EXPECT_EQ((bytes[28] << 8) | bytes[29], 3001);
  EXPECT_EQ((bytes[30] << 8) | bytes[31], 3002);
  EXPECT_EQ(bytes[64], sample().name.size());
}

TEST_F(AnnouncementTest, RejectsTruncatedPacketsAtEveryLength) {
  const auto bytes = packet();
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(decode_announcement(std::span(bytes.data(), n))) << "length " << n;
  }
}

TEST_F(AnnouncementTest, RejectsTrailingBytesAndOversizedPackets) {
  auto longer = packet();
  longer.push_back(0);
  EXPECT_EQ(decode_announcement(longer).error(), core::Errc::malformed);
  const std::vector<std::uint8_t> huge(2000, 0x50);
  EXPECT_EQ(decode_announcement(huge).error(), core::Errc::too_large);
}

TEST_F(AnnouncementTest, RejectsWrongMagicVersionAndKind) {
  auto bytes = packet();
  bytes[0] = 'X';
  EXPECT_EQ(decode_announcement(bytes).error(), core::Errc::malformed);
  for (const std::uint8_t version : {0, 3, 255}) {
    bytes = packet();
    bytes[4] = version;
    EXPECT_EQ(decode_announcement(bytes).error(), core::Errc::unsupported_version) << int(version);
  }
  bytes = packet();
  bytes[5] = 9;
  EXPECT_EQ(decode_announcement(bytes).error(), core::Errc::malformed);
}

TEST_F(AnnouncementTest, RejectsAnyModificationAfterSigning) {
  const auto original = packet();
  // Flip one bit in every byte that is covered by the signature (past the
  // fields the decoder checks before verifying) and in the signature itself.
  for (std::size_t i = 6; i < original.size(); ++i) {
    if (i == 64) continue;  // the name length: caught as malformed instead
    auto bytes = original;
    bytes[i] ^= 0x01;
    const auto decoded = decode_announcement(bytes);
    EXPECT_FALSE(decoded) << "byte " << i;
  }
}

TEST_F(AnnouncementTest, RejectsAPacketSignedByAnotherKey) {
  auto a = sample();
  const auto other = identity::Identity::generate();
  // Claims key_ but is signed by `other`.
  const auto bytes = encode_announcement(a, other);
  EXPECT_EQ(decode_announcement(bytes).error(), core::Errc::bad_signature);
}

TEST_F(AnnouncementTest, RejectsZeroPortsAndBadNames) {
  auto a = sample();
  a.http_port = 0;
  EXPECT_EQ(decode_announcement(encode_announcement(a, key_)).error(), core::Errc::malformed);
  // The encoder sanitises names, so build bad names by hand and re-sign.
  auto forge_name = [&](std::string name) {
    auto bytes = packet();
    bytes.resize(65);
    bytes[64] = static_cast<std::uint8_t>(name.size());
    bytes.insert(bytes.end(), name.begin(), name.end());
    const auto signature = key_.sign(bytes);
    bytes.insert(bytes.end(), signature.begin(), signature.end());
    return decode_announcement(bytes);
  };
  EXPECT_TRUE(forge_name("ok"));
  EXPECT_FALSE(forge_name(""));
  EXPECT_FALSE(forge_name("bell\x07"));
  EXPECT_FALSE(forge_name(std::string("nul\0x", 5)));
  EXPECT_FALSE(forge_name("\xc3\x28"));          // invalid UTF-8
  EXPECT_FALSE(forge_name("\xed\xa0\x80"));      // UTF-16 surrogate
  EXPECT_FALSE(forge_name("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(forge_name(std::string(65, 'a')));  // over 64 bytes
  EXPECT_FALSE(forge_name("csi\xc2\x9b" "31m"));     // U+009B, a C1 control
  EXPECT_FALSE(forge_name("abc\xe2\x80\xae" "dcba"));  // U+202E, right-to-left override
  EXPECT_TRUE(forge_name("caf\xc3\xa9"));             // ordinary accents stay
}

TEST(AnnouncementName, SanitisesWhatPeopleTypeIntoAValidName) {
  EXPECT_EQ(sanitize_name("tab\there"), "tab here");
  EXPECT_EQ(sanitize_name("a\xc2\x85" "b"), "a b");
  EXPECT_EQ(sanitize_name(""), "peerdrop");
  EXPECT_EQ(sanitize_name(std::string(100, 'x')).size(), 64u);
  // Never cuts a multi-byte character in half.
  const std::string accents(40, 'a');
  const auto cut = sanitize_name(accents + std::string(20, ' ') + "éééé");
  EXPECT_TRUE(is_valid_name(cut));
}

TEST_F(AnnouncementTest, CarriesTheRelayFlagAndIgnoresReservedBits) {
  auto a = sample();
  a.flags = Announcement::kFlagRelay;
  auto decoded = decode_announcement(encode_announcement(a, key_));
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_TRUE(decoded->offers_relay());
  const auto bytes = encode_announcement(a, key_);
  EXPECT_EQ((bytes[6] << 8) | bytes[7], 0x0001);  // flags, big-endian, at 6..7

  // Reserved bits are carried (and signed) but mean nothing to this version.
  a.flags = 0xfffe;
  decoded = decode_announcement(encode_announcement(a, key_));
  ASSERT_TRUE(decoded);
  EXPECT_FALSE(decoded->offers_relay());
  EXPECT_EQ(decoded->flags, 0xfffe);

  // The flag is under the signature: setting it on someone else's packet breaks it.
  auto unflagged = packet();
  unflagged[7] |= 0x01;
  EXPECT_EQ(decode_announcement(unflagged).error(), core::Errc::bad_signature);
}

TEST(AnnouncementSignerRelay, SetsTheRelayFlagOnEveryKindWhileTheRelayRuns) {
  const auto key = identity::Identity::generate();
  core::SystemClock clock;
  AnnouncementSigner signer(key, clock, "relay");
  signer.set_ports(3001, 3001);
  EXPECT_FALSE(decode_announcement(signer.make(AnnouncementKind::announce))->offers_relay());
  signer.set_relay_offered(true);
  for (const auto kind : {AnnouncementKind::announce, AnnouncementKind::reply, AnnouncementKind::probe}) {
    EXPECT_TRUE(decode_announcement(signer.make(kind))->offers_relay());
  }
  signer.set_relay_offered(false);
  EXPECT_EQ(decode_announcement(signer.make(AnnouncementKind::reply))->flags, 0);
}

}  // namespace
}  // namespace peerdrop::discovery
