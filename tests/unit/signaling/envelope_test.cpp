#include "signaling/envelope.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "core/errc.hpp"

namespace peerdrop::signaling {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::size_t kTypeAt = 153;
constexpr std::size_t kSignatureSize = 64;
constexpr std::uint64_t kCreated = 1'764'000'000'123ull;

template <typename T>
T big_endian(const Bytes& bytes, std::size_t offset) {
  T value = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) value = static_cast<T>((value << 8) | bytes[offset + i]);
  return value;
}

template <typename T>
void put_big_endian(Bytes& bytes, std::size_t offset, T value) {
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    bytes[offset + i] = static_cast<std::uint8_t>(value >> (8 * (sizeof(T) - 1 - i)));
  }
}

// A JSON object nested `depth` levels deep.
std::string nested_object(int depth) {
  std::string text;
  for (int i = 0; i < depth; ++i) text += R"({"a":)";
  text += "1";
  text.append(static_cast<std::size_t>(depth), '}');
  return text;
}

class EnvelopeTest : public ::testing::Test {
 protected:
  Envelope sample() const {
    Envelope e;
    e.flags = Envelope::kFlagCannotReachYou;
    e.sender_key = sender_.public_key();
    e.sender_id = sender_.peer_id();
    e.recipient_key = recipient_.public_key();
    e.sequence = 0x0102030405060708ull;
    e.floor = 0x0102030405060700ull;
    e.created_ms = kCreated;
    e.ttl_ms = 60'000;
    e.type = "offer";
    e.payload = R"({"sdp":"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n","note":"✓"})";
    return e;
  }
  Bytes encode(const Envelope& e) const {
    auto bytes = encode_envelope(e, sender_);
    EXPECT_TRUE(bytes) << bytes.error().message();
    return bytes ? *bytes : Bytes{};
  }
  Bytes packet() const { return encode(sample()); }

  // Replaces the signature with `signer`'s signature over everything before it.
  static Bytes sign_again(Bytes bytes, const identity::Identity& signer) {
    bytes.resize(bytes.size() - kSignatureSize);
    const auto signature = signer.sign(bytes);
    bytes.insert(bytes.end(), signature.begin(), signature.end());
    return bytes;
  }
  Bytes sign_again(Bytes bytes) const { return sign_again(std::move(bytes), sender_); }

  // The sample's fixed fields with any type and payload, correctly framed and
  // signed: what a hostile but honest-looking sender can put on the wire.
  Bytes forge(std::string_view type, std::string_view payload) const {
    auto bytes = packet();
    bytes.resize(kTypeAt - 1);
    bytes.push_back(static_cast<std::uint8_t>(type.size()));
    bytes.insert(bytes.end(), type.begin(), type.end());
    bytes.resize(bytes.size() + 4);
    put_big_endian<std::uint32_t>(bytes, bytes.size() - 4, static_cast<std::uint32_t>(payload.size()));
    bytes.insert(bytes.end(), payload.begin(), payload.end());
    bytes.resize(bytes.size() + kSignatureSize);
    return sign_again(std::move(bytes));
  }
  // The sample with the big-endian field at `offset` changed, signed again.
  template <typename T>
  Bytes with_field(std::size_t offset, T value) const {
    auto bytes = packet();
    put_big_endian<T>(bytes, offset, value);
    return sign_again(std::move(bytes));
  }

  identity::Identity sender_ = identity::Identity::generate();
  identity::Identity recipient_ = identity::Identity::generate();
};

TEST_F(EnvelopeTest, RoundTripsEveryField) {
  const auto bytes = packet();
  EXPECT_EQ(bytes.size(), 221 + sample().type.size() + sample().payload.size());
  const auto decoded = decode_envelope(bytes);
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(*decoded, sample());
  EXPECT_TRUE(decoded->cannot_reach_you());
}

TEST_F(EnvelopeTest, WritesTheSignersKeyAndIdWhateverTheEnvelopeSays) {
  auto e = sample();
  const auto other = identity::Identity::generate();
  e.sender_key = other.public_key();
  e.sender_id = "not an id";
  const auto decoded = decode_envelope(encode(e));
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(decoded->sender_key, sender_.public_key());
  EXPECT_EQ(decoded->sender_id, sender_.peer_id());
}

TEST_F(EnvelopeTest, HasTheDocumentedLayout) {
  const auto e = sample();
  const auto bytes = packet();
  const auto t = e.type.size();
  const auto p = e.payload.size();
  ASSERT_EQ(bytes.size(), 221 + t + p);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 4), "PDSG");
  EXPECT_EQ(bytes[4], 1);                             // version
  EXPECT_EQ(bytes[5], 1);                             // flags: cannot reach you
  EXPECT_EQ(big_endian<std::uint16_t>(bytes, 6), 0);  // reserved
  EXPECT_TRUE(std::equal(e.sender_key.begin(), e.sender_key.end(), bytes.begin() + 8));
  EXPECT_EQ(std::string(bytes.begin() + 40, bytes.begin() + 92), sender_.peer_id());
  EXPECT_TRUE(std::equal(e.recipient_key.begin(), e.recipient_key.end(), bytes.begin() + 92));
  EXPECT_EQ(big_endian<std::uint64_t>(bytes, 124), e.sequence);
  EXPECT_EQ(bytes[124], 0x01);  // big-endian: most significant byte first
  EXPECT_EQ(big_endian<std::uint64_t>(bytes, 132), e.floor);
  EXPECT_EQ(big_endian<std::uint64_t>(bytes, 140), kCreated);
  EXPECT_EQ(big_endian<std::uint32_t>(bytes, 148), 60'000u);
  EXPECT_EQ(bytes[152], t);
  EXPECT_EQ(std::string(bytes.begin() + 153, bytes.begin() + 153 + t), "offer");
  EXPECT_EQ(big_endian<std::uint32_t>(bytes, 153 + t), p);
  EXPECT_EQ(std::string(bytes.begin() + 157 + t, bytes.begin() + 157 + t + p), e.payload);
  const std::span<const std::uint8_t> all(bytes);
  EXPECT_TRUE(identity::Identity::verify(e.sender_key, all.first(157 + t + p), all.subspan(157 + t + p).first<64>()));
}

TEST_F(EnvelopeTest, RejectsTruncatedEnvelopesAtEveryLength) {
  const auto bytes = packet();
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    const auto decoded = decode_envelope(std::span(bytes.data(), n));
    ASSERT_FALSE(decoded) << "length " << n;
    EXPECT_EQ(decoded.error(), core::Errc::malformed) << "length " << n;
  }
}

TEST_F(EnvelopeTest, RejectsTrailingBytes) {
  auto longer = packet();
  longer.push_back(0);
  EXPECT_EQ(decode_envelope(longer).error(), core::Errc::malformed);
  // Even when the trailing bytes are signed: the lengths must add up exactly.
  longer.resize(longer.size() + kSignatureSize);
  EXPECT_EQ(decode_envelope(sign_again(longer)).error(), core::Errc::malformed);
}

TEST_F(EnvelopeTest, RejectsOversizedEnvelopesBeforeLookingAtThem) {
  EXPECT_EQ(decode_envelope(Bytes(70'001, 0)).error(), core::Errc::too_large);
  auto huge = packet();
  huge.resize(Envelope::kMaxSize + 1, ' ');
  EXPECT_EQ(decode_envelope(huge).error(), core::Errc::too_large);
  EXPECT_EQ(decode_envelope(Bytes(70'000, 0)).error(), core::Errc::malformed);  // at the limit: looked at
}

TEST_F(EnvelopeTest, AcceptsThePayloadLimitAndRefusesOneByteMore) {
  const auto object_of_size = [](std::size_t size) { return R"({"a":")" + std::string(size - 8, 'x') + R"("})"; };
  auto e = sample();
  e.payload = object_of_size(Envelope::kMaxPayloadBytes);
  ASSERT_EQ(e.payload.size(), 65'536u);
  const auto decoded = decode_envelope(encode(e));
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(decoded->payload, e.payload);

  e.payload = object_of_size(Envelope::kMaxPayloadBytes + 1);
  EXPECT_EQ(encode_envelope(e, sender_).error(), core::Errc::too_large);
  EXPECT_EQ(decode_envelope(forge("offer", e.payload)).error(), core::Errc::too_large);
}

TEST_F(EnvelopeTest, RejectsWrongMagicAndVersion) {
  auto bytes = packet();
  bytes[0] = 'X';
  EXPECT_EQ(decode_envelope(bytes).error(), core::Errc::malformed);
  bytes = packet();
  bytes[3] = 'P';  // the discovery magic "PDRP"
  bytes[2] = 'R';
  EXPECT_EQ(decode_envelope(bytes).error(), core::Errc::malformed);
  for (const std::uint8_t version : {0, 2, 255}) {
    bytes = packet();
    bytes[4] = version;
    EXPECT_EQ(decode_envelope(bytes).error(), core::Errc::unsupported_version) << int{version};
  }
  // A later version may have another layout: known as such even when short.
  const Bytes short_v2{'P', 'D', 'S', 'G', 2};
  EXPECT_EQ(decode_envelope(short_v2).error(), core::Errc::unsupported_version);
}

TEST_F(EnvelopeTest, RejectsEverySingleBitFlip) {
  const auto original = packet();
  for (std::size_t i = 0; i < original.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      auto bytes = original;
      bytes[i] ^= static_cast<std::uint8_t>(1u << bit);
      EXPECT_FALSE(decode_envelope(bytes)) << "byte " << i << " bit " << bit;
    }
  }
}

TEST_F(EnvelopeTest, RejectsAnEnvelopeSignedByAnotherKey) {
  const auto other = identity::Identity::generate();
  // Claims sender_ but is signed by `other`.
  EXPECT_EQ(decode_envelope(sign_again(packet(), other)).error(), core::Errc::bad_signature);
  // Claims `other`'s key (and keeps sender_'s id) but is signed by sender_.
  auto bytes = packet();
  std::copy(other.public_key().begin(), other.public_key().end(), bytes.begin() + 8);
  EXPECT_EQ(decode_envelope(sign_again(bytes)).error(), core::Errc::bad_signature);
  // A signature of zeros.
  bytes = packet();
  std::fill(bytes.end() - kSignatureSize, bytes.end(), 0);
  EXPECT_EQ(decode_envelope(bytes).error(), core::Errc::bad_signature);
}

TEST_F(EnvelopeTest, AcceptsEveryDocumentedType) {
  const std::vector<std::string> types{"connection_request",
                                       "connection_accept",
                                       "connection_decline",
                                       "offer",
                                       "answer",
                                       "ice_candidate",
                                       "bye",
                                       "app:chat",
                                       "app:file-offer.v2",
                                       "a",
                                       std::string(32, 'z')};
  for (const auto& type : types) {
    EXPECT_TRUE(is_valid_type(type)) << type;
    const auto decoded = decode_envelope(forge(type, "{}"));
    ASSERT_TRUE(decoded) << type << ": " << decoded.error().message();
    EXPECT_EQ(decoded->type, type);
  }
}

TEST_F(EnvelopeTest, TellsTheDaemonsOwnTypesFromTheUisOnes) {
  for (const char* type : {"relay:request", "relay:grant", "relay:anything-later", "msg:text", "msg:later"}) {
    EXPECT_TRUE(is_valid_type(type)) << type;
    EXPECT_TRUE(is_daemon_type(type)) << type;
    EXPECT_TRUE(decode_envelope(forge(type, "{}"))) << type;
  }
  for (const char* type : {"offer", "app:relay", "relay", "relay_request", "app:relay:grant", "relay.grant", "msg",
                           "app:msg:text"}) {
    EXPECT_FALSE(is_daemon_type(type)) << type;
  }
}

TEST_F(EnvelopeTest, RejectsBadTypes) {
  for (const std::string& type :
       {std::string(), std::string(33, 'a'), std::string(255, 'a'), std::string("Offer"), std::string("of fer"),
        std::string("a/b"), std::string("app:chat!"), std::string("caf\xc3\xa9"), std::string("nul\0x", 5),
        std::string("tab\t"), std::string("\x7f")}) {
    EXPECT_FALSE(is_valid_type(type)) << type;
    EXPECT_EQ(decode_envelope(forge(type, "{}")).error(), core::Errc::malformed) << type;
    auto e = sample();
    e.type = type;
    EXPECT_EQ(encode_envelope(e, sender_).error(), core::Errc::malformed) << type;
  }
}

TEST_F(EnvelopeTest, AcceptsJsonObjectPayloads) {
  for (const std::string& payload :
       {std::string("{}"), std::string(" {\"a\": [1, 2, {\"b\": null}]} \n"),
        std::string(R"({"s":"\u00e9\ud83d\ude00"})"), std::string("{\"s\":\"\xc3\xa9\"}"), nested_object(32)}) {
    EXPECT_TRUE(is_valid_payload(payload)) << payload;
    EXPECT_TRUE(decode_envelope(forge("offer", payload))) << payload;
  }
}

TEST_F(EnvelopeTest, RejectsPayloadsThatAreNotAJsonObject) {
  for (const std::string& payload :
       {std::string(), std::string("not json"), std::string("[]"), std::string("[{}]"), std::string("\"{}\""),
        std::string("42"), std::string("null"), std::string("{"), std::string("{} {}"), std::string("{}x"),
        std::string("{\"a\":1,}"), std::string("{/* comment */}"), std::string("{\"s\":\"\xff\"}"),
        std::string("{\"s\":\"\xed\xa0\x80\"}"), std::string("{\"s\":\"a\nb\"}"), std::string("{}\0", 3),
        nested_object(33), nested_object(1000)}) {
    EXPECT_FALSE(is_valid_payload(payload)) << payload;
    EXPECT_EQ(decode_envelope(forge("offer", payload)).error(), core::Errc::malformed) << payload;
    auto e = sample();
    e.payload = payload;
    EXPECT_EQ(encode_envelope(e, sender_).error(), core::Errc::malformed) << payload;
  }
}

TEST_F(EnvelopeTest, RejectsTtlOutOfRange) {
  constexpr std::size_t kTtlAt = 148;
  EXPECT_EQ(decode_envelope(with_field<std::uint32_t>(kTtlAt, 0)).error(), core::Errc::malformed);
  EXPECT_EQ(decode_envelope(with_field<std::uint32_t>(kTtlAt, 600'001)).error(), core::Errc::malformed);
  EXPECT_EQ(decode_envelope(with_field<std::uint32_t>(kTtlAt, 0xffffffff)).error(), core::Errc::malformed);
  EXPECT_TRUE(decode_envelope(with_field<std::uint32_t>(kTtlAt, 1)));
  EXPECT_TRUE(decode_envelope(with_field<std::uint32_t>(kTtlAt, 600'000)));
  auto e = sample();
  e.ttl_ms = 0;
  EXPECT_EQ(encode_envelope(e, sender_).error(), core::Errc::malformed);
  e.ttl_ms = 600'001;
  EXPECT_EQ(encode_envelope(e, sender_).error(), core::Errc::malformed);
}

TEST_F(EnvelopeTest, RejectsUndefinedFlagsAndReservedBits) {
  for (const std::uint8_t flags : {0x02, 0x80, 0xff}) {
    EXPECT_EQ(decode_envelope(with_field<std::uint8_t>(5, flags)).error(), core::Errc::malformed) << int{flags};
    auto e = sample();
    e.flags = flags;
    EXPECT_EQ(encode_envelope(e, sender_).error(), core::Errc::malformed) << int{flags};
  }
  const auto no_flags = decode_envelope(with_field<std::uint8_t>(5, 0));
  ASSERT_TRUE(no_flags);
  EXPECT_FALSE(no_flags->cannot_reach_you());
  EXPECT_EQ(decode_envelope(with_field<std::uint16_t>(6, 1)).error(), core::Errc::malformed);
  EXPECT_EQ(decode_envelope(with_field<std::uint16_t>(6, 0x8000)).error(), core::Errc::malformed);
}

TEST_F(EnvelopeTest, RejectsSequencesTheSenderCannotHaveMeant) {
  constexpr std::size_t kSequenceAt = 124;
  constexpr std::size_t kFloorAt = 132;
  const auto sequence = sample().sequence;
  EXPECT_EQ(decode_envelope(with_field<std::uint64_t>(kSequenceAt, 0)).error(), core::Errc::malformed);
  EXPECT_EQ(decode_envelope(with_field<std::uint64_t>(kFloorAt, 0)).error(), core::Errc::malformed);
  EXPECT_EQ(decode_envelope(with_field<std::uint64_t>(kFloorAt, sequence + 1)).error(), core::Errc::malformed);
  EXPECT_TRUE(decode_envelope(with_field<std::uint64_t>(kFloorAt, sequence)));
  EXPECT_TRUE(decode_envelope(with_field<std::uint64_t>(kFloorAt, 1)));
  for (const auto& [seq, lowest] : {std::pair<std::uint64_t, std::uint64_t>{0, 0}, {1, 0}, {1, 2}}) {
    auto e = sample();
    e.sequence = seq;
    e.floor = lowest;
    EXPECT_EQ(encode_envelope(e, sender_).error(), core::Errc::malformed) << seq << " " << lowest;
  }
}

TEST_F(EnvelopeTest, RejectsAClaimedIdThatIsNotAnId) {
  auto bytes = packet();
  bytes[40] = 'a';  // lowercase: not base32
  EXPECT_EQ(decode_envelope(sign_again(bytes)).error(), core::Errc::malformed);
  bytes[40] = '1';  // not in the RFC 4648 alphabet
  EXPECT_EQ(decode_envelope(sign_again(bytes)).error(), core::Errc::malformed);
}

TEST_F(EnvelopeTest, CheckAcceptsAnEnvelopeForUsInTime) {
  const auto decoded = decode_envelope(packet());
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(check_envelope(*decoded, recipient_.public_key(), static_cast<std::int64_t>(kCreated)));
}

TEST_F(EnvelopeTest, CheckRefusesAnEnvelopeForSomeoneElse) {
  const auto decoded = decode_envelope(packet());
  ASSERT_TRUE(decoded);
  const auto now = static_cast<std::int64_t>(kCreated);
  EXPECT_EQ(check_envelope(*decoded, sender_.public_key(), now).error(), core::Errc::not_for_us);
  EXPECT_EQ(check_envelope(*decoded, identity::PublicKey{}, now).error(), core::Errc::not_for_us);
}

TEST_F(EnvelopeTest, CheckRefusesAClaimedIdOfAnotherKey) {
  // Signed by sender_ with sender_'s key, but claiming the id `other` was pinned under.
  const auto other = identity::Identity::generate();
  auto bytes = packet();
  std::copy(other.peer_id().begin(), other.peer_id().end(), bytes.begin() + 40);
  const auto decoded = decode_envelope(sign_again(bytes));
  ASSERT_TRUE(decoded) << decoded.error().message();  // well-formed and correctly signed
  EXPECT_EQ(decoded->sender_id, other.peer_id());
  const auto now = static_cast<std::int64_t>(kCreated);
  EXPECT_EQ(check_envelope(*decoded, recipient_.public_key(), now).error(), core::Errc::key_changed);
  // The recipient is checked first.
  EXPECT_EQ(check_envelope(*decoded, other.public_key(), now).error(), core::Errc::not_for_us);
}

TEST_F(EnvelopeTest, CheckRefusesExpiredEnvelopesAfterTheSkewAllowance) {
  const auto decoded = decode_envelope(packet());
  ASSERT_TRUE(decoded);
  const auto& own = recipient_.public_key();
  const auto created = static_cast<std::int64_t>(kCreated);
  const std::int64_t ttl = 60'000;
  const std::int64_t skew = 300'000;
  EXPECT_TRUE(check_envelope(*decoded, own, created + ttl));
  EXPECT_TRUE(check_envelope(*decoded, own, created + ttl + skew));  // passed by exactly the allowance
  EXPECT_EQ(check_envelope(*decoded, own, created + ttl + skew + 1).error(), core::Errc::expired);
  EXPECT_EQ(check_envelope(*decoded, own, std::numeric_limits<std::int64_t>::max()).error(), core::Errc::expired);
  // A sender clock ahead of ours is not expiry.
  EXPECT_TRUE(check_envelope(*decoded, own, created - 3'600'000));
  EXPECT_TRUE(check_envelope(*decoded, own, 0));
  EXPECT_TRUE(check_envelope(*decoded, own, -1));
}

TEST_F(EnvelopeTest, CheckHandlesExtremeCreatedTimesWithoutOverflow) {
  auto e = sample();
  e.created_ms = std::numeric_limits<std::uint64_t>::max();
  e.ttl_ms = Envelope::kMaxTtlMs;
  const auto far_future = decode_envelope(encode(e));
  ASSERT_TRUE(far_future);
  EXPECT_TRUE(check_envelope(*far_future, recipient_.public_key(), std::numeric_limits<std::int64_t>::max()));
  e.created_ms = 0;
  e.ttl_ms = 1;
  const auto epoch = decode_envelope(encode(e));
  ASSERT_TRUE(epoch);
  EXPECT_TRUE(check_envelope(*epoch, recipient_.public_key(), 300'001));
  EXPECT_EQ(check_envelope(*epoch, recipient_.public_key(), 300'002).error(), core::Errc::expired);
}

// ---------------------------------------------------------------- framing

class FrameTest : public EnvelopeTest {};

TEST_F(FrameTest, RoundTripsSeveralEnvelopes) {
  auto second = sample();
  second.type = "ice_candidate";
  second.payload = R"({"candidate":"candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host"})";
  const std::vector<Bytes> envelopes{packet(), encode(second), Bytes{0x42}};
  const auto body = frame_envelopes(envelopes);
  EXPECT_EQ(body.size(), 12 + envelopes[0].size() + envelopes[1].size() + 1);
  EXPECT_EQ(big_endian<std::uint32_t>(body, 0), envelopes[0].size());
  const auto frames = split_frames(body, 3);
  ASSERT_TRUE(frames) << frames.error().message();
  ASSERT_EQ(frames->size(), 3u);
  for (std::size_t i = 0; i < envelopes.size(); ++i) {
    EXPECT_TRUE(std::equal((*frames)[i].begin(), (*frames)[i].end(), envelopes[i].begin(), envelopes[i].end()));
  }
  // Frames are views into the body, not copies.
  EXPECT_EQ((*frames)[0].data(), body.data() + 4);
  const auto decoded = decode_envelope((*frames)[1]);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->type, "ice_candidate");
}

TEST_F(FrameTest, AnEmptyBodyIsNoEnvelopes) {
  EXPECT_TRUE(frame_envelopes({}).empty());
  const auto frames = split_frames({}, 0);
  ASSERT_TRUE(frames);
  EXPECT_TRUE(frames->empty());
}

TEST_F(FrameTest, RejectsTruncatedBodiesAtEveryLength) {
  const auto body = frame_envelopes({packet(), packet()});
  const auto first_end = 4 + packet().size();
  for (std::size_t n = 1; n < body.size(); ++n) {
    const auto frames = split_frames(std::span(body.data(), n), 8);
    if (n == first_end) {
      ASSERT_TRUE(frames);  // exactly one whole frame
      EXPECT_EQ(frames->size(), 1u);
    } else {
      ASSERT_FALSE(frames) << "length " << n;
      EXPECT_EQ(frames.error(), core::Errc::malformed) << "length " << n;
    }
  }
}

TEST_F(FrameTest, RejectsHostileLengths) {
  const auto body_with_length = [](std::uint32_t length, std::size_t bytes_after) {
    Bytes body(4 + bytes_after, 0);
    put_big_endian<std::uint32_t>(body, 0, length);
    return body;
  };
  EXPECT_EQ(split_frames(body_with_length(0, 0), 8).error(), core::Errc::malformed);
  EXPECT_EQ(split_frames(body_with_length(0, 10), 8).error(), core::Errc::malformed);
  EXPECT_EQ(split_frames(body_with_length(70'001, 70'001), 8).error(), core::Errc::too_large);
  EXPECT_EQ(split_frames(body_with_length(0xffffffff, 16), 8).error(), core::Errc::too_large);
  EXPECT_EQ(split_frames(body_with_length(0x80000000, 16), 8).error(), core::Errc::too_large);
  EXPECT_EQ(split_frames(body_with_length(70'000, 69'999), 8).error(), core::Errc::malformed);
  EXPECT_TRUE(split_frames(body_with_length(70'000, 70'000), 8));
  EXPECT_EQ(split_frames(Bytes{0, 0, 0}, 8).error(), core::Errc::malformed);
  // A whole frame followed by the start of a length.
  auto body = frame_envelopes({Bytes{1, 2, 3}});
  body.push_back(0);
  EXPECT_EQ(split_frames(body, 8).error(), core::Errc::malformed);
}

TEST_F(FrameTest, RejectsMoreFramesThanAllowed) {
  const std::vector<Bytes> five(5, Bytes{7});
  const auto body = frame_envelopes(five);
  EXPECT_TRUE(split_frames(body, 5));
  EXPECT_EQ(split_frames(body, 4).error(), core::Errc::too_large);
  EXPECT_EQ(split_frames(body, 0).error(), core::Errc::too_large);
  // Counted as they come: a body of many tiny frames stops at the limit.
  const auto many = frame_envelopes(std::vector<Bytes>(10'000, Bytes{7}));
  EXPECT_EQ(split_frames(many, 64).error(), core::Errc::too_large);
}

}  // namespace
}  // namespace peerdrop::signaling
