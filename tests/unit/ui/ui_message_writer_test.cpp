#include "ui/ui_message_writer.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace peerdrop::ui {
namespace {

namespace json = boost::json;

// Each message to a tab, as docs/protocol.md ("The UI's WebSocket") lists its fields.
json::value read(const std::string& text) { return json::parse(text); }

TEST(UiMessageWriter, WritesTheWelcome) {
  const auto message = read(serialize(Welcome{
      .self = {.id = "ID", .name = "kitchen", .version = "0.1.0", .port = 3001, .discovery_port = 3002},
      .settings = json::object{{"name", "kitchen"}}}));
  EXPECT_EQ(message, json::parse(R"({"type":"welcome","protocol":1,"self":{"id":"ID","name":"kitchen",
      "version":"0.1.0","port":3001,"discoveryPort":3002},"settings":{"name":"kitchen"}})"));
}

TEST(UiMessageWriter, WritesThePushes) {
  EXPECT_EQ(read(serialize(PeerList{.peers = json::array{json::object{{"id", "P"}}}})),
            json::parse(R"({"type":"peers","peers":[{"id":"P"}]})"));
  EXPECT_EQ(read(serialize(SettingsPush{.settings = json::object{{"relay", false}}})),
            json::parse(R"({"type":"settings","settings":{"relay":false}})"));
  EXPECT_EQ(read(serialize(RelayState{.relay = json::object{{"enabled", false}, {"state", "off"}}})),
            json::parse(R"({"type":"relay","relay":{"enabled":false,"state":"off"}})"));
  EXPECT_EQ(read(serialize(FileList{.files = json::array{}})), json::parse(R"({"type":"files","files":[]})"));
}

TEST(UiMessageWriter, WritesTheSignalsFateWithTheRefTheTabGave) {
  EXPECT_EQ(read(serialize(SignalAck{.ref = json::value("r"), .seq = 7, .to = "P", .peer_online = true})),
            json::parse(R"({"type":"ack","ref":"r","seq":7,"to":"P","peerOnline":true})"));
  EXPECT_EQ(read(serialize(Delivered{.ref = json::value(3)})), json::parse(R"({"type":"delivered","ref":3})"));
  EXPECT_EQ(read(serialize(Delivered{})), json::parse(R"({"type":"delivered"})"));
  EXPECT_EQ(read(serialize(Expired{.to = "P", .error = "gone"})),
            json::parse(R"({"type":"expired","to":"P","error":"gone"})"));
  EXPECT_EQ(read(serialize(Expired{.ref = json::value(1), .to = "P", .error = "gone"})).at("ref"), json::value(1));
}

TEST(UiMessageWriter, WritesWhatPeersSend) {
  EXPECT_EQ(read(serialize(PeerSignal{
                .from = "P", .kind = "offer", .session = "s", .payload = json::object{{"sdp", "x"}}, .seq = 2})),
            json::parse(R"({"type":"signal","from":"P","kind":"offer","session":"s","payload":{"sdp":"x"},"seq":2})"));
  EXPECT_EQ(read(serialize(SessionTaken{.peer = "P", .session = "s"})),
            json::parse(R"({"type":"session_taken","peer":"P","session":"s"})"));
  EXPECT_EQ(read(serialize(IceServers{.peer = "P",
                                      .servers = json::array{json::object{{"urls", "stun:198.51.100.2:3001"}}},
                                      .ref = json::value(9)})),
            json::parse(R"({"type":"ice_servers","peer":"P","iceServers":[{"urls":"stun:198.51.100.2:3001"}],"ref":9})"));
}

TEST(UiMessageWriter, WritesTheFileAnswers) {
  EXPECT_EQ(read(serialize(FileOpened{
                .ref = json::value(1), .tid = "T", .index = 2, .handle = 3, .offset = 4, .name = "a.txt"})),
            json::parse(R"({"type":"file_opened","ref":1,"tid":"T","i":2,"handle":3,"offset":4,"name":"a.txt"})"));
  EXPECT_EQ(read(serialize(FileOpened{.tid = "T", .offset = 4, .name = "a.txt", .complete = true})).at("complete"),
            json::value(true));
  EXPECT_EQ(read(serialize(FileFinished{.tid = "T", .index = 2, .ok = true, .name = "a (1).txt"})),
            json::parse(R"({"type":"file_finished","tid":"T","i":2,"ok":true,"name":"a (1).txt"})"));
  EXPECT_EQ(read(serialize(FileFinished{.tid = "T", .index = 2, .ok = false, .code = "hash_mismatch", .error = "e"})),
            json::parse(R"({"type":"file_finished","tid":"T","i":2,"ok":false,"code":"hash_mismatch","error":"e"})"));
  EXPECT_EQ(read(serialize(FileProgress{.peer = "P", .tid = "T", .index = 1, .received = 10, .durable = 8})),
            json::parse(R"({"type":"file_progress","peer":"P","tid":"T","i":1,"received":10,"durable":8})"));
}

TEST(UiMessageWriter, WritesAnError) {
  EXPECT_EQ(read(serialize(ErrorMessage{.code = "bad_request", .error = "why"})),
            json::parse(R"({"type":"error","code":"bad_request","error":"why"})"));
  EXPECT_EQ(read(serialize(ErrorMessage{.code = "unknown_handle", .error = "why", .ref = json::value("r"), .handle = 5})),
            json::parse(R"({"type":"error","code":"unknown_handle","error":"why","ref":"r","handle":5})"));
}

}  // namespace
}  // namespace peerdrop::ui
