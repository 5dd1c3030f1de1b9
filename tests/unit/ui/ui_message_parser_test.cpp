#include "ui/ui_message_parser.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>
#include <vector>

namespace peerdrop::ui {
namespace {

namespace json = boost::json;

constexpr const char* kPeer = "MZUHVLPYMK6XO3EPYGFY5H4OEAEJOFEFN3RDHM4QFJMR2DK7FESQ";
constexpr const char* kTid = "tid_0123456789abcdefABCD";

std::string text(const json::object& message) { return json::serialize(message); }

// The request a valid message reads as (fails the test if it is refused).
template <typename T>
T read_as(const json::object& message) {
  const auto parsed = parse_ui_message(text(message));
  EXPECT_TRUE(parsed) << text(message) << ": " << (parsed ? "" : parsed.error().message);
  if (!parsed) return T{};
  EXPECT_TRUE(std::holds_alternative<T>(parsed->request)) << text(message);
  return std::holds_alternative<T>(parsed->request) ? std::get<T>(parsed->request) : T{};
}

MessageRefusal refusal_of(std::string_view raw) {
  const auto parsed = parse_ui_message(raw);
  EXPECT_FALSE(parsed) << raw;
  return parsed ? MessageRefusal{} : parsed.error();
}

// Every way a message of `valid`'s type can be wrong in one field: each
// required field left out, and each field given a value of another type.
void expect_each_field_checked(const json::object& valid, const std::vector<std::string>& required,
                               const std::vector<std::pair<std::string, json::value>> mistyped) {
  for (const auto& field : required) {
    auto message = valid;
    message.erase(field);
    message["ref"] = 7;
    const auto refusal = refusal_of(text(message));
    EXPECT_EQ(refusal.code, "bad_request") << "without " << field;
    EXPECT_FALSE(refusal.message.empty());
    EXPECT_EQ(refusal.ref, json::value(7)) << "the ref comes back with the refusal";
  }
  for (const auto& [field, value] : mistyped) {
    auto message = valid;
    message[field] = value;
    EXPECT_EQ(refusal_of(text(message)).code, "bad_request") << field << " = " << json::serialize(value);
  }
}

TEST(UiMessageParser, RefusesWhatIsNotAMessage) {
  for (const char* raw : {"not json", "", "[]", "42", "\"signal\"", "{}", R"({"type":7})", R"({"type":null})",
                          R"({"type":"get_peers")"}) {
    const auto refusal = refusal_of(raw);
    EXPECT_EQ(refusal.code, "bad_request") << raw;
    EXPECT_EQ(refusal.message, "every message must be a JSON object with a \"type\"");
  }
}

TEST(UiMessageParser, RefusesNestingDeeperThanTheLimit) {
  std::string deep = R"({"type":"signal","to":")" + std::string(kPeer) + R"(","kind":"offer","payload":)";
  for (std::size_t i = 0; i < kMaxMessageDepth; ++i) deep += R"({"a":)";
  deep += "1";
  for (std::size_t i = 0; i < kMaxMessageDepth; ++i) deep += "}";
  deep += "}";
  EXPECT_EQ(refusal_of(deep).code, "bad_request");
}

TEST(UiMessageParser, AnUnknownTypeIsNamedAndItsRefComesBack) {
  const auto refusal = refusal_of(R"({"type":"teleport","ref":{"n":1}})");
  EXPECT_EQ(refusal.code, "unknown_type");
  EXPECT_EQ(refusal.message, "this daemon does not know the message type \"teleport\"");
  EXPECT_EQ(refusal.ref, json::parse(R"({"n":1})"));
  // A long type is cut, and never in the middle of a character.
  const auto long_type = refusal_of(text({{"type", std::string(39, 'x') + "\xc3\xa9" + "yyy"}}));
  EXPECT_EQ(long_type.message, "this daemon does not know the message type \"" + std::string(39, 'x') + "\"");
}

TEST(UiMessageParser, ReadsASignal) {
  const json::object valid{{"type", "signal"}, {"ref", "r1"},       {"to", kPeer},
                           {"kind", "offer"},  {"session", "s-1"},  {"payload", {{"sdp", "v=0"}}},
                           {"ttlMs", 60000}};
  const auto parsed = parse_ui_message(text(valid));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->ref, json::value("r1"));
  const auto signal = std::get<SignalRequest>(parsed->request);
  EXPECT_EQ(signal.to, kPeer);
  EXPECT_EQ(signal.kind, "offer");
  EXPECT_EQ(signal.session, "s-1");
  EXPECT_EQ(signal.payload, (json::object{{"sdp", "v=0"}}));
  EXPECT_EQ(signal.ttl, std::chrono::milliseconds(60000));
  // session, payload and ttlMs are optional.
  const auto bare = read_as<SignalRequest>({{"type", "signal"}, {"to", kPeer}, {"kind", "app:chat"}});
  EXPECT_EQ(bare.session, "");
  EXPECT_TRUE(bare.payload.empty());
  EXPECT_EQ(bare.ttl, std::chrono::milliseconds(0));
  expect_each_field_checked(valid, {"to", "kind"},
                            {{"to", 5}, {"kind", true}, {"session", 1}, {"payload", "x"}, {"payload", json::array{}},
                             {"ttlMs", "60000"}, {"ttlMs", 1.5}});
}

TEST(UiMessageParser, RefusesASignalKindOrSessionOutOfBounds) {
  const json::object valid{{"type", "signal"}, {"to", kPeer}, {"kind", "offer"}};
  auto daemons_own = valid;
  daemons_own["kind"] = "relay:grant";
  const auto refusal = refusal_of(text(daemons_own));
  EXPECT_EQ(refusal.code, "bad_request");
  EXPECT_EQ(refusal.message, "\"relay:grant\" messages are the daemons' own; a page cannot send them");
  auto bad_kind = valid;
  bad_kind["kind"] = "no spaces allowed";
  EXPECT_EQ(refusal_of(text(bad_kind)).code, "bad_request");
  auto long_session = valid;
  long_session["session"] = std::string(kMaxSessionBytes + 1, 's');
  EXPECT_EQ(refusal_of(text(long_session)).code, "bad_request");
  long_session["session"] = std::string(kMaxSessionBytes, 's');
  EXPECT_EQ(read_as<SignalRequest>(long_session).session.size(), kMaxSessionBytes);
}

TEST(UiMessageParser, ReadsASessionUpdate) {
  const json::object valid{{"type", "session"}, {"peer", kPeer}, {"state", "connecting"}};
  const auto session = read_as<SessionUpdate>(valid);
  EXPECT_EQ(session.peer, kPeer);
  EXPECT_EQ(session.state, "connecting");
  expect_each_field_checked(valid, {"peer", "state"}, {{"peer", 1}, {"state", json::object{}}});
}

TEST(UiMessageParser, ReadsGetPeers) {
  const auto parsed = parse_ui_message(R"({"type":"get_peers","ref":3})");
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(std::holds_alternative<GetPeers>(parsed->request));
  EXPECT_EQ(parsed->ref, json::value(3));
}

TEST(UiMessageParser, ReadsAnIceServersRequest) {
  const json::object valid{{"type", "ice_servers"}, {"peer", kPeer}};
  EXPECT_EQ(read_as<IceServersRequest>(valid).peer, kPeer);
  expect_each_field_checked(valid, {"peer"}, {{"peer", json::array{}}});
}

TEST(UiMessageParser, ReadsAFileOpen) {
  const json::object valid{{"type", "file_open"}, {"peer", kPeer},          {"tid", kTid}, {"i", 4294967295u},
                           {"path", "a/b.txt"},    {"size", 9007199254740991}};
  const auto open = read_as<FileOpen>(valid);
  EXPECT_EQ(open.peer, kPeer);
  EXPECT_EQ(open.tid, kTid);
  EXPECT_EQ(open.index, 4294967295u);
  EXPECT_EQ(open.path, "a/b.txt");
  EXPECT_EQ(open.size, 9007199254740991u);
  expect_each_field_checked(valid, {"peer", "tid", "i", "path", "size"},
                            {{"peer", 1},
                             {"tid", 1},
                             {"path", 1},
                             {"i", -1},
                             {"i", 4294967296u},
                             {"i", "0"},
                             {"i", 0.5},
                             {"size", -1},
                             {"size", 9007199254740992u},
                             {"size", "12"}});
}

TEST(UiMessageParser, ReadsAFileFinish) {
  const json::object valid{{"type", "file_finish"}, {"handle", 1}, {"size", 0}, {"sha256", std::string(64, 'a')}};
  const auto finish = read_as<FileFinish>(valid);
  EXPECT_EQ(finish.handle, 1u);
  EXPECT_EQ(finish.size, 0u);
  EXPECT_EQ(finish.sha256, std::string(64, 'a'));
  expect_each_field_checked(valid, {"handle", "size", "sha256"},
                            {{"handle", -1}, {"handle", 4294967296u}, {"size", "0"}, {"sha256", 64}});
}

TEST(UiMessageParser, ReadsAFileCancel) {
  const json::object valid{{"type", "file_cancel"}, {"peer", kPeer}, {"tid", kTid}};
  const auto cancel = read_as<FileCancel>(valid);
  EXPECT_EQ(cancel.peer, kPeer);
  EXPECT_EQ(cancel.tid, kTid);
  expect_each_field_checked(valid, {"peer", "tid"}, {{"peer", false}, {"tid", json::object{}}});
}

}  // namespace
}  // namespace peerdrop::ui
