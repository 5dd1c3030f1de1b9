#include "relay/relay_grant.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/base64.hpp"
#include "core/errc.hpp"
#include "identity/identity.hpp"

namespace peerdrop::relay {
namespace {

namespace json = boost::json;

class RelayGrantTest : public ::testing::Test {
 protected:
  RelayGrant sample() const {
    return RelayGrant{.urls = {"turn:198.51.100.12:3478?transport=udp", "turn:198.51.100.12:3478?transport=tcp"},
                      .username = "1764086400:" + bob_.peer_id(),
                      .sealed = std::vector<std::uint8_t>(48 + 28, 0xab),
                      .expires_ms = 1'764'086'400'000};
  }
  // The sample's JSON with one field replaced (or removed, for a null `value`).
  std::string with(const std::string& field, const json::value& value) const {
    auto object = json::parse(encode_relay_grant(sample())).as_object();
    if (value.is_null()) {
      object.erase(field);
    } else {
      object[field] = value;
    }
    return json::serialize(object);
  }

  identity::Identity bob_ = identity::Identity::generate();
};

TEST_F(RelayGrantTest, RoundTripsAGrantInTheDocumentedShape) {
  const auto text = encode_relay_grant(sample());
  const auto object = json::parse(text).as_object();
  EXPECT_EQ(object.size(), 4u);
  EXPECT_EQ(object.at("urls").as_array().size(), 2u);
  EXPECT_EQ(object.at("username"), ("1764086400:" + bob_.peer_id()).c_str());
  EXPECT_EQ(object.at("sealed"), core::base64_encode(sample().sealed).c_str());
  EXPECT_EQ(object.at("expiresMs"), 1'764'086'400'000);
  const auto parsed = parse_relay_grant(text);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(*parsed, sample());
  EXPECT_FALSE(parsed->refused());
}

TEST_F(RelayGrantTest, RoundTripsARefusal) {
  const auto text = encode_relay_grant(RelayGrant{.refusal = "off"});
  EXPECT_EQ(text, R"({"error":"off"})");
  const auto parsed = parse_relay_grant(text);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->refused());
  EXPECT_EQ(parsed->refusal, "off");
  EXPECT_TRUE(parsed->urls.empty());
  // A later version's reason is a refusal as well.
  EXPECT_EQ(parse_relay_grant(R"({"error":"busy_2"})")->refusal, "busy_2");
}

TEST_F(RelayGrantTest, IgnoresUnknownFields) {
  auto object = json::parse(encode_relay_grant(sample())).as_object();
  object["later"] = json::object{{"x", 1}};
  const auto parsed = parse_relay_grant(json::serialize(object));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, sample());
}

TEST_F(RelayGrantTest, AcceptsTurnsUrlsIpv6AndNames) {
  const auto text = with("urls", json::array{"turns:[2001:db8::1]:5349?transport=tcp", "turn:relay.example.org",
                                             "turn:198.51.100.12", "turn:198.51.100.12:3478?transport=udp"});
  const auto parsed = parse_relay_grant(text);
  ASSERT_TRUE(parsed) << text;
  EXPECT_EQ(parsed->urls.size(), 4u);
}

TEST_F(RelayGrantTest, RefusesWhatIsNotAJsonObject) {
  for (const char* bad : {"", " ", "null", "[]", "\"off\"", "1", "{", "{\"error\":\"off\"", "{}}", "{\"urls\":[]}x"}) {
    const auto parsed = parse_relay_grant(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error(), core::Errc::malformed) << bad;
  }
}

TEST_F(RelayGrantTest, RefusesOversizedPayloadsBeforeParsingThem) {
  auto big = encode_relay_grant(sample());
  big.insert(1, std::string(RelayGrant::kMaxPayloadBytes, ' '));
  EXPECT_EQ(parse_relay_grant(big).error(), core::Errc::too_large);
  EXPECT_EQ(parse_relay_grant(std::string(RelayGrant::kMaxPayloadBytes + 1, '[')).error(), core::Errc::too_large);
  // Deep nesting within the size limit.
  EXPECT_EQ(parse_relay_grant(std::string(1000, '[') + std::string(1000, ']')).error(), core::Errc::malformed);
  EXPECT_EQ(parse_relay_grant(with("later", json::parse(R"({"a":{"b":{"c":1}}})"))).error(), core::Errc::malformed);
}

TEST_F(RelayGrantTest, RefusesMissingFieldsAndWrongTypes) {
  for (const char* field : {"urls", "username", "sealed", "expiresMs"}) {
    EXPECT_EQ(parse_relay_grant(with(field, nullptr)).error(), core::Errc::malformed) << field;
    EXPECT_EQ(parse_relay_grant(with(field, json::object{})).error(), core::Errc::malformed) << field;
    EXPECT_EQ(parse_relay_grant(with(field, true)).error(), core::Errc::malformed) << field;
  }
  EXPECT_FALSE(parse_relay_grant(with("urls", "turn:198.51.100.12:3478")));
  EXPECT_FALSE(parse_relay_grant(with("username", 1764086400)));
  EXPECT_FALSE(parse_relay_grant(with("expiresMs", "1764086400000")));
  EXPECT_FALSE(parse_relay_grant(with("expiresMs", 1.7640864e12)));
}

TEST_F(RelayGrantTest, RefusesUrlsThatAreNotTurnOrTooMany) {
  for (const json::value& urls :
       {json::value(json::array{}), json::value(json::array{"stun:198.51.100.12:3478"}),
        json::value(json::array{"http://198.51.100.12/"}), json::value(json::array{"turn:"}),
        json::value(json::array{"turn:198.51.100.12:99999"}),
        json::value(json::array{"turn:198.51.100.12:3478?transport=sctp"}),
        json::value(json::array{"turn:198.51.100.12:3478\n"}), json::value(json::array{"turn:evil host"}),
        json::value(json::array{1}), json::value(json::array{json::array{"turn:198.51.100.12"}}),
        json::value(json::array{"turn:" + std::string(252, 'a')}),
        json::value(json::array{"turn:a", "turn:b", "turn:c", "turn:d", "turn:e"})}) {
    EXPECT_EQ(parse_relay_grant(with("urls", urls)).error(), core::Errc::malformed) << json::serialize(urls);
  }
}

TEST_F(RelayGrantTest, RefusesUsernamesThatAreNotExpiryAndPeerId) {
  for (const std::string& username :
       {std::string(), std::string("1764086400"), ":" + bob_.peer_id(), "x:" + bob_.peer_id(),
        "1764086400:" + bob_.peer_id().substr(1), "1764086400:" + bob_.peer_id() + "A",
        "17640864001234:" + bob_.peer_id(), "1764086400:" + std::string(52, 'a'), "-1:" + bob_.peer_id(),
        "1764086400:" + bob_.peer_id() + "\n", std::string(200, '1')}) {
    EXPECT_EQ(parse_relay_grant(with("username", json::value(username))).error(), core::Errc::malformed) << username;
  }
}

TEST_F(RelayGrantTest, RefusesSealedCredentialsThatAreNotBase64OrOutOfBounds) {
  const auto sealed_of = [](std::size_t n) { return core::base64_encode(std::vector<std::uint8_t>(n, 1)); };
  for (const std::string& sealed :
       {std::string(), std::string("!!!!"), std::string("AAAA="), sealed_of(48),
        sealed_of(48 + RelayGrant::kMaxCredentialBytes + 1), sealed_of(2000), sealed_of(60) + "\n"}) {
    EXPECT_EQ(parse_relay_grant(with("sealed", json::value(sealed))).error(), core::Errc::malformed) << sealed;
  }
  EXPECT_TRUE(parse_relay_grant(with("sealed", json::value(sealed_of(49)))));
  EXPECT_TRUE(parse_relay_grant(with("sealed", json::value(sealed_of(48 + RelayGrant::kMaxCredentialBytes)))));
}

TEST_F(RelayGrantTest, RefusesExpiriesOutOfRange) {
  for (const std::int64_t expires :
       {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1} << 53, std::numeric_limits<std::int64_t>::max()}) {
    EXPECT_EQ(parse_relay_grant(with("expiresMs", expires)).error(), core::Errc::malformed) << expires;
  }
  EXPECT_FALSE(parse_relay_grant(with("expiresMs", std::numeric_limits<std::uint64_t>::max())));
  EXPECT_TRUE(parse_relay_grant(with("expiresMs", (std::int64_t{1} << 53) - 1)));
}

TEST_F(RelayGrantTest, RefusesRefusalsThatAreNotAShortWord) {
  for (const char* bad :
       {R"({"error":""})", R"({"error":1})", R"({"error":null})", R"({"error":"Off"})", R"({"error":"not running"})",
        R"({"error":"off\n"})", R"({"error":["off"]})", R"({"error":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})"}) {
    EXPECT_EQ(parse_relay_grant(bad).error(), core::Errc::malformed) << bad;
  }
}

}  // namespace
}  // namespace peerdrop::relay
