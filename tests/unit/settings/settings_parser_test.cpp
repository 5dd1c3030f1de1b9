#include "settings/settings_parser.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>

namespace peerdrop::settings {
namespace {

// The refusal of `body`, which must be refused.
SettingsError refused(std::string_view body) {
  const auto parsed = parse_settings_update(body);
  EXPECT_FALSE(parsed.update.has_value()) << body;
  EXPECT_FALSE(parsed.error.message.empty()) << body;
  return parsed.error;
}

SettingsUpdate accepted(std::string_view body) {
  const auto parsed = parse_settings_update(body);
  EXPECT_TRUE(parsed.update.has_value()) << body << ": " << parsed.error.message;
  return parsed.update.value_or(SettingsUpdate{});
}

std::string servers_with_url(const std::string& url) {
  return R"({"iceServers":[{"urls":)" + boost::json::serialize(boost::json::value(url)) + "}]}";
}

TEST(SettingsParser, AcceptsTheDocumentedExample) {
  const auto update = accepted(R"({"name":"Alice's laptop","iceServers":[{"urls":["stun:198.51.100.9:3478"],
      "username":"u","credential":"c"}],"connectTimeoutMs":30000})");
  EXPECT_EQ(update.name, "Alice's laptop");
  ASSERT_TRUE(update.ice_servers.has_value());
  ASSERT_EQ(update.ice_servers->size(), 1u);
  EXPECT_EQ(update.ice_servers->at(0).urls, std::vector<std::string>{"stun:198.51.100.9:3478"});
  EXPECT_EQ(update.ice_servers->at(0).username, "u");
  EXPECT_EQ(update.ice_servers->at(0).credential, "c");
  EXPECT_EQ(update.connect_timeout_ms, 30000);
}

TEST(SettingsParser, APartialObjectChangesOnlyItsFields) {
  const auto update = accepted(R"({"connectTimeoutMs":5000})");
  EXPECT_FALSE(update.name.has_value());
  EXPECT_FALSE(update.ice_servers.has_value());
  EXPECT_EQ(update.connect_timeout_ms, 5000);
  EXPECT_TRUE(accepted("{}").empty());
  const Settings before{.name = "before", .ice_servers = {}, .connect_timeout_ms = 30000};
  const auto after = update.applied_to(before);
  EXPECT_EQ(after.name, "before");
  EXPECT_EQ(after.connect_timeout_ms, 5000);
  EXPECT_EQ(changed_fields(before, after), std::vector<std::string>{"connectTimeoutMs"});
}

TEST(SettingsParser, TrimsTheNameAndKeepsUtf8) {
  EXPECT_EQ(accepted(R"({"name":"  Alice\n"})").name, "Alice");
  EXPECT_EQ(accepted(R"({"name":"Zoë's Mac 🍎"})").name, "Zoë's Mac 🍎");
  EXPECT_EQ(accepted(R"({"name":")" + std::string(64, 'x') + R"("})").name, std::string(64, 'x'));
  // 21 three-byte characters (63 bytes) fit; 22 (66 bytes) do not.
  std::string euros;
  for (int i = 0; i < 21; ++i) euros += "€";
  EXPECT_EQ(accepted(R"({"name":")" + euros + R"("})").name, euros);
  EXPECT_EQ(refused(R"({"name":")" + euros + "€" + R"("})").field, "name");
}

TEST(SettingsParser, RefusesHostileNames) {
  for (const auto& body : std::vector<std::string>{
           R"({"name":""})",
           R"({"name":"   "})",
           R"({"name":"\t\n"})",
           R"({"name":null})",
           R"({"name":42})",
           R"({"name":["Alice"]})",
           R"({"name":{"first":"Alice"}})",
           R"({"name":")" + std::string(65, 'x') + R"("})",
           R"({"name":"Al\u0000ice"})",
           R"({"name":"Al\u0007ice"})",
           R"({"name":"Al\u001bice"})",
           R"({"name":"Al\u007fice"})",
           R"({"name":"Al\u0085ice"})",
           R"({"name":"Al\u009bice"})",
           R"({"name":"Al\u202eice"})",
           R"({"name":"Al\u2066ice"})",
           R"({"name":"Al\tice"})",
           R"({"name":"Al\nice"})",
       }) {
    EXPECT_EQ(refused(body).field, "name") << body;
  }
}

TEST(SettingsParser, RefusesWhatIsNotAJsonObject) {
  for (const std::string body : {"", " ", "null", "[]", "\"name\"", "42", "{", R"({"name":"a",})",
                                 R"({"name":"a"} {})", R"({"name":"a"}x)", "{/*c*/}", "\xef\xbb\xbf{}",
                                 "{\"name\":\"\xff\"}"}) {
    EXPECT_EQ(refused(body).field, "") << body;
  }
  // Deeply nested input is refused by the parser's depth limit, not by running out of stack.
  EXPECT_EQ(refused(std::string(100000, '[')).field, "");
  EXPECT_EQ(refused(R"({"iceServers":[{"urls":[[[[[[[["stun:a"]]]]]]]]}]})").field, "");
}

TEST(SettingsParser, RefusesABodyOverTheLimit) {
  const std::string padded = R"({"name":"a")" + std::string(kMaxSettingsBodyBytes, ' ') + "}";
  EXPECT_EQ(refused(padded).field, "");
  EXPECT_NE(refused(padded).message.find("too large"), std::string::npos);
}

TEST(SettingsParser, NamesUnknownFields) {
  const auto one = refused(R"({"name":"a","colour":"red"})");
  EXPECT_EQ(one.field, "colour");
  EXPECT_NE(one.message.find("\"colour\""), std::string::npos) << one.message;
  const auto two = refused(R"({"colour":"red","theme":"dark"})");
  EXPECT_EQ(two.field, "colour");
  EXPECT_NE(two.message.find("\"theme\""), std::string::npos) << two.message;
  // Case matters; a huge key is shown cut short (at a character boundary).
  EXPECT_EQ(refused(R"({"Name":"a"})").field, "Name");
  const auto huge = refused(R"({")" + std::string(1000, 'k') + R"(":1})");
  EXPECT_LT(huge.field.size(), 50u);
  EXPECT_LT(huge.message.size(), 300u);
  const auto accents = refused(R"({")" + [] {
    std::string s;
    for (int i = 0; i < 100; ++i) s += "é";
    return s;
  }() + R"(":1})");
  EXPECT_TRUE(boost::json::parse(boost::json::serialize(boost::json::value(accents.field))).is_string());
  const auto many = refused(R"({"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7})");
  EXPECT_EQ(many.field, "a");
  EXPECT_EQ(many.message.find("\"g\""), std::string::npos) << many.message;
}

TEST(SettingsParser, ChecksTheConnectTimeout) {
  EXPECT_EQ(accepted(R"({"connectTimeoutMs":300000})").connect_timeout_ms, 300000);
  for (const char* body : {R"({"connectTimeoutMs":4999})", R"({"connectTimeoutMs":300001})",
                           R"({"connectTimeoutMs":0})", R"({"connectTimeoutMs":-30000})",
                           R"({"connectTimeoutMs":30000.5})", R"({"connectTimeoutMs":3e4})",
                           R"({"connectTimeoutMs":"30000"})", R"({"connectTimeoutMs":null})",
                           R"({"connectTimeoutMs":true})", R"({"connectTimeoutMs":18446744073709551615})",
                           R"({"connectTimeoutMs":1e400})"}) {
    EXPECT_EQ(refused(body).field, "connectTimeoutMs") << body;
  }
}

TEST(SettingsParser, AcceptsStunAndTurnUrls) {
  for (const char* url : {"stun:198.51.100.9", "stun:198.51.100.9:3478", "stun:stun.example.org",
                          "stun:stun.example.org:19302", "stun:[2001:db8::1]", "stun:[2001:db8::1]:3478",
                          "turn:turn.example.org", "turn:198.51.100.9:3478?transport=udp",
                          "turn:198.51.100.9:3478?transport=tcp", "turns:turn.example.org:5349?transport=tcp",
                          "turns:[::1]:5349", "stun:localhost", "stun:a-b.example:65535",
                          "stun:xn--bcher-kva.example"}) {
    EXPECT_TRUE(is_valid_ice_url(url)) << url;
  }
}

TEST(SettingsParser, RefusesMalformedIceUrls) {
  for (const auto& url : std::vector<std::string>{
           "",
           "stun:",
           "stun",
           "stuns:198.51.100.9",
           "STUN:198.51.100.9",
           "http://198.51.100.9",
           "stun://198.51.100.9:3478",
           "stun:198.51.100.9:",
           "stun:198.51.100.9:0",
           "stun:198.51.100.9:65536",
           "stun:198.51.100.9:03478",
           "stun:198.51.100.9:34a",
           "stun:198.51.100.9:+3478",
           "stun:198.51.100.9:3478:1",
           "stun:256.1.1.1",
           "stun:1.2.3",
           "stun:1.2.3.4.5",
           "stun:2001:db8::1",
           "stun:[2001:db8::1",
           "stun:[not:v6]",
           "stun:[]",
           "stun:[::1]x",
           "stun:user@198.51.100.9",
           "stun:198.51.100.9?transport=udp",
           "turn:198.51.100.9?transport=sctp",
           "turn:198.51.100.9?transport=UDP",
           "turn:198.51.100.9?transport=udp&x=1",
           "turn:198.51.100.9?",
           "turn:198.51.100.9#frag",
           "stun:exa mple.org",
           "stun:example..org",
           "stun:.example.org",
           "stun:example.org.",
           "stun:-example.org",
           "stun:example-.org",
           "stun:ex_ample.org",
           "stun:ex%41mple.org",
           "stun:example.org/path",
           "stun:198.51.100.9\n",
           "stun:198.51.100.9\r\nX: y",
           std::string("stun:198.51.100.9\0", 18),
           "stun:" + std::string(64, 'a') + ".example",
           "stun:" + std::string(252, 'a'),
           "stun:bücher.example",
       }) {
    EXPECT_FALSE(is_valid_ice_url(url)) << url;
    EXPECT_EQ(refused(servers_with_url(url)).field, "iceServers") << url;
  }
}

TEST(SettingsParser, AcceptsUrlsAsAStringOrAnArray) {
  const auto one = accepted(R"({"iceServers":[{"urls":"stun:198.51.100.9"}]})");
  EXPECT_EQ(one.ice_servers->at(0).urls, std::vector<std::string>{"stun:198.51.100.9"});
  EXPECT_FALSE(one.ice_servers->at(0).username.has_value());
  const auto four = accepted(
      R"({"iceServers":[{"urls":["stun:a.example","stun:b.example","turn:c.example","turns:d.example"],
          "username":"u","credential":"c"}]})");
  EXPECT_EQ(four.ice_servers->at(0).urls.size(), 4u);
  EXPECT_TRUE(accepted(R"({"iceServers":[]})").ice_servers->empty());
}

TEST(SettingsParser, RefusesMalformedIceServers) {
  const std::string long_url = "stun:" + std::string(248, 'a') + ".example";  // 261 bytes
  const std::string secret129(129, 's');
  for (const auto& body : std::vector<std::string>{
           R"({"iceServers":null})",
           R"({"iceServers":{}})",
           R"({"iceServers":"stun:198.51.100.9"})",
           R"({"iceServers":["stun:198.51.100.9"]})",
           R"({"iceServers":[null]})",
           R"({"iceServers":[{}]})",
           R"({"iceServers":[{"urls":[]}]})",
           R"({"iceServers":[{"urls":null}]})",
           R"({"iceServers":[{"urls":42}]})",
           R"({"iceServers":[{"urls":[42]}]})",
           R"({"iceServers":[{"urls":["stun:a.example",null]}]})",
           R"({"iceServers":[{"urls":{"0":"stun:a.example"}}]})",
           R"({"iceServers":[{"urls":["stun:a","stun:b","stun:c","stun:d","stun:e"]}]})",
           R"({"iceServers":[{"urls":")" + long_url + R"("}]})",
           R"({"iceServers":[{"urls":"stun:a.example","credentialType":"password"}]})",
           R"({"iceServers":[{"url":"stun:a.example"}]})",
           R"({"iceServers":[{"urls":"stun:a.example","username":5,"credential":"c"}]})",
           R"({"iceServers":[{"urls":"stun:a.example","username":"u","credential":null}]})",
           R"({"iceServers":[{"urls":"turn:a.example","username":"u"}]})",
           R"({"iceServers":[{"urls":"turns:a.example","credential":"c"}]})",
           R"({"iceServers":[{"urls":["stun:a.example","turn:b.example"],"username":"u"}]})",
           R"({"iceServers":[{"urls":"turn:a.example","username":")" + secret129 + R"(","credential":"c"}]})",
           R"({"iceServers":[{"urls":"turn:a.example","username":"u","credential":")" + secret129 + R"("}]})",
           R"({"iceServers":[{"urls":"turn:a.example","username":"u\r\nX","credential":"c"}]})",
           R"({"iceServers":[{"urls":"turn:a.example","username":"u","credential":"c\u0000"}]})",
           R"({"iceServers":[{"urls":"stun:a.example"},{"urls":"ftp:b.example"}]})",
       }) {
    EXPECT_EQ(refused(body).field, "iceServers") << body;
  }
  // A TURN server may go without credentials; a STUN server may carry only a username.
  EXPECT_TRUE(accepted(R"({"iceServers":[{"urls":"turn:a.example"}]})").ice_servers.has_value());
  EXPECT_TRUE(accepted(R"({"iceServers":[{"urls":"stun:a.example","username":"u"}]})").ice_servers.has_value());
  const std::string secret128(128, 's');
  EXPECT_TRUE(accepted(R"({"iceServers":[{"urls":"turn:a.example","username":")" + secret128 +
                       R"(","credential":")" + secret128 + R"("}]})")
                  .ice_servers.has_value());
}

TEST(SettingsParser, AllowsAtMostSixteenServers) {
  auto list = [](int n) {
    std::string body = R"({"iceServers":[)";
    for (int i = 0; i < n; ++i) body += std::string(i ? "," : "") + R"({"urls":"stun:198.51.100.9"})";
    return body + "]}";
  };
  EXPECT_EQ(accepted(list(16)).ice_servers->size(), 16u);
  const auto error = refused(list(17));
  EXPECT_EQ(error.field, "iceServers");
  EXPECT_NE(error.message.find("16"), std::string::npos);
}

TEST(SettingsParser, NeverRepeatsASecretInARefusal) {
  const auto error = refused(
      R"({"iceServers":[{"urls":"turn:a.example","username":"SECRETUSER","credential":"SECRET\u0001PASS"}]})");
  EXPECT_EQ(error.message.find("SECRET"), std::string::npos) << error.message;
}

TEST(SettingsParser, SerialisesWhatItParses) {
  const auto update = accepted(R"({"name":"Alice","iceServers":[{"urls":"stun:198.51.100.9:3478"},
      {"urls":["turn:198.51.100.9:3478?transport=tcp"],"username":"u","credential":"c"}],"connectTimeoutMs":45000})");
  const auto settings = update.applied_to({});
  EXPECT_EQ(to_json(settings), boost::json::parse(R"({"name":"Alice","iceServers":[
      {"urls":["stun:198.51.100.9:3478"]},
      {"urls":["turn:198.51.100.9:3478?transport=tcp"],"username":"u","credential":"c"}],"connectTimeoutMs":45000,
      "autoAccept":[],"relay":false,"downloadDir":""})"));
  auto answer = to_json(settings);
  answer.as_object().erase("downloadDir");  // read-only: never sent back
  // What it writes, it reads back the same.
  EXPECT_EQ(accepted(boost::json::serialize(answer)).applied_to({}), settings);
}

TEST(SettingsParser, TakesAutoAcceptAsAListOfPeerIds) {
  const std::string alice(52, 'A');
  const std::string bob = std::string(26, 'B') + std::string(26, '7');
  const auto update = accepted(R"({"autoAccept":[")" + alice + R"(",")" + bob + R"(",")" + alice + R"("]})");
  ASSERT_TRUE(update.auto_accept);
  EXPECT_EQ(*update.auto_accept, (std::vector<std::string>{alice, bob}));  // a repeat counts once
  EXPECT_EQ(accepted(R"({"autoAccept":[]})").auto_accept, std::vector<std::string>{});
  std::string list;
  for (std::size_t i = 0; i < Settings::kMaxAutoAccept; ++i) list += std::string(i ? "," : "") + "\"" + alice + "\"";
  EXPECT_TRUE(accepted(R"({"autoAccept":[)" + list + "]}").auto_accept);
  EXPECT_EQ(refused(R"({"autoAccept":[)" + list + ",\"" + alice + "\"]}").field, "autoAccept");
  const std::string lowercase = R"([")" + std::string(52, 'a') + R"("])";
  const std::string too_short = R"([")" + std::string(51, 'A') + R"("])";
  for (const std::string& bad : {std::string(R"("AAAA")"), std::string("[1]"), std::string("[null]"), lowercase,
                                 too_short, std::string("{}")}) {
    const auto error = refused(R"({"autoAccept":)" + bad + "}");
    EXPECT_EQ(error.field, "autoAccept") << bad;
    EXPECT_FALSE(error.message.empty());
  }
}

TEST(SettingsParser, TakesTheRelaySwitchAsABoolean) {
  EXPECT_EQ(accepted(R"({"relay":true})").relay, true);
  EXPECT_EQ(accepted(R"({"relay":false})").relay, false);
  EXPECT_FALSE(accepted(R"({"name":"a"})").relay.has_value());
  EXPECT_FALSE(accepted(R"({"relay":true})").empty());
  for (const char* bad : {R"("true")", "1", "0", "null", "{}", "[]"}) {
    const auto error = refused(std::string(R"({"relay":)") + bad + "}");
    EXPECT_EQ(error.field, "relay") << bad;
    EXPECT_EQ(error.message, "relay must be true (run a TURN relay on this computer) or false") << bad;
  }
  // Off by default; a change is named "relay", and it reads back the same.
  const Settings before{.name = "host"};
  EXPECT_FALSE(before.relay);
  const auto after = accepted(R"({"relay":true})").applied_to(before);
  EXPECT_TRUE(after.relay);
  EXPECT_EQ(changed_fields(before, after), std::vector<std::string>{"relay"});
  EXPECT_EQ(to_json(after).at("relay"), true);
  EXPECT_EQ(to_json(before).at("relay"), false);
  auto answer = to_json(after);
  answer.as_object().erase("downloadDir");
  EXPECT_EQ(accepted(boost::json::serialize(answer)).applied_to({}), after);
  // An unknown field's refusal lists it among the settings.
  EXPECT_NE(refused(R"({"colour":"red"})").message.find("autoAccept and relay"), std::string::npos);
}

TEST(SettingsParser, RefusesToChangeTheDownloadFolder) {
  const auto error = refused(R"({"name":"Alice","downloadDir":"/tmp"})");
  EXPECT_EQ(error.field, "downloadDir");
  EXPECT_NE(error.message.find("--download-dir"), std::string::npos) << error.message;
}

}  // namespace
}  // namespace peerdrop::settings

namespace peerdrop::settings {
namespace {

constexpr std::string_view kRestServer = R"({"iceServers":[{"urls":["turn:198.51.100.9:3478?transport=udp",
    "turn:198.51.100.9:3478?transport=tcp"],"secret":"NORTH-SHARED-SECRET"}]})";

TEST(SettingsParser, TakesATurnRestApiSecretAndNeverShowsIt) {
  const auto update = accepted(kRestServer);
  ASSERT_TRUE(update.ice_servers);
  EXPECT_EQ(update.ice_servers->at(0).secret, "NORTH-SHARED-SECRET");
  EXPECT_FALSE(update.ice_servers->at(0).keep_secret);
  const auto settings = update.applied_to({.name = "Alice"});
  const auto shown = boost::json::serialize(to_json(settings));
  EXPECT_EQ(shown.find("NORTH-SHARED-SECRET"), std::string::npos) << shown;
  EXPECT_EQ(to_json(settings).at("iceServers").at(0), boost::json::parse(R"({"urls":[
      "turn:198.51.100.9:3478?transport=udp","turn:198.51.100.9:3478?transport=tcp"],"secretSet":true})"));
  // The stored form keeps it, and reads back the same.
  const auto stored = to_json(settings, Secrets::included);
  EXPECT_EQ(stored.at("iceServers").at(0).at("secret"), "NORTH-SHARED-SECRET");
  auto body = stored;
  body.as_object().erase("downloadDir");
  EXPECT_EQ(accepted(boost::json::serialize(body)).applied_to({}), settings);
}

TEST(SettingsParser, RefusesASecretWhereItCannotWork) {
  EXPECT_EQ(refused(R"({"iceServers":[{"urls":"stun:198.51.100.9","secret":"s"}]})").field, "iceServers");
  const auto both = refused(R"({"iceServers":[{"urls":"turn:198.51.100.9","secret":"SECRETX","username":"u",
      "credential":"c"}]})");
  EXPECT_NE(both.message.find("not both"), std::string::npos) << both.message;
  EXPECT_EQ(both.message.find("SECRETX"), std::string::npos);
  refused(R"({"iceServers":[{"urls":"turn:198.51.100.9","secret":""}]})");
  refused(R"({"iceServers":[{"urls":"turn:198.51.100.9","secret":42}]})");
  refused(R"({"iceServers":[{"urls":"turn:198.51.100.9","secret":"a\u0007b"}]})");
  refused(R"({"iceServers":[{"urls":"turn:198.51.100.9","secret":")" + std::string(257, 's') + R"("}]})");
  accepted(R"({"iceServers":[{"urls":"turn:198.51.100.9","secret":")" + std::string(256, 's') + R"("}]})");
  refused(R"({"iceServers":[{"urls":"turn:198.51.100.9","secretSet":"yes"}]})");
}

TEST(SettingsParser, SecretSetKeepsTheStoredSecretOfTheSameUrls) {
  Settings current;
  current.ice_servers = accepted(kRestServer).ice_servers.value();
  // What a page got (secretSet) goes back unchanged: the secret stays.
  auto echoed = accepted(R"({"iceServers":[{"urls":["turn:198.51.100.9:3478?transport=udp",
      "turn:198.51.100.9:3478?transport=tcp"],"secretSet":true},{"urls":"stun:198.51.100.9"}]})");
  EXPECT_TRUE(echoed.ice_servers->at(0).keep_secret);
  EXPECT_FALSE(resolve_kept_secrets(echoed, current));
  EXPECT_EQ(echoed.ice_servers->at(0).secret, "NORTH-SHARED-SECRET");
  EXPECT_FALSE(echoed.ice_servers->at(0).keep_secret);
  // Other URLs: there is nothing to keep.
  auto moved = accepted(R"({"iceServers":[{"urls":"turn:203.0.113.9","secretSet":true}]})");
  const auto problem = resolve_kept_secrets(moved, current);
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->field, "iceServers");
  EXPECT_NE(problem->message.find("ICE server 1"), std::string::npos);
  // A new secret wins over secretSet; false asks for nothing.
  auto replaced = accepted(R"({"iceServers":[{"urls":"turn:203.0.113.9","secret":"new","secretSet":true}]})");
  EXPECT_FALSE(replaced.ice_servers->at(0).keep_secret);
  EXPECT_FALSE(resolve_kept_secrets(replaced, current));
  EXPECT_EQ(replaced.ice_servers->at(0).secret, "new");
  auto dropped = accepted(R"({"iceServers":[{"urls":"turn:203.0.113.9","secretSet":false}]})");
  EXPECT_FALSE(resolve_kept_secrets(dropped, current));
  EXPECT_FALSE(dropped.ice_servers->at(0).secret);
}

}  // namespace
}  // namespace peerdrop::settings
