#include "ui/ui_router.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

#include "core/logging.hpp"
#include "discovery/peer_store.hpp"
#include "settings/settings_store.hpp"
#include "signaling/inbox_state.hpp"
#include "signaling/outbox.hpp"
#include "store/sqlite_database.hpp"
#include "support/capturing_tabs.hpp"
#include "support/fake_alarm.hpp"
#include "support/fake_clock.hpp"
#include "support/fake_process_launcher.hpp"
#include "support/temp_dir.hpp"
#include "transfer/received_file_store.hpp"

namespace peerdrop::ui {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// The UI protocol's handlers behind the router, on real domain modules
// (never started: no sockets), with tabs that capture every frame.
class UiRouterTest : public ::testing::Test {
 protected:
  UiRouterTest() {
    tabs_.open = {1, 2};
    other_signer_.set_ports(3001, 3001);
  }

  // Another daemon opens a channel to us and says hello: it becomes a known, verified peer.
  void meet_other() {
    discovery_.hello(other_.peer_id(), other_signer_.make(discovery::AnnouncementKind::probe), "127.0.0.2", true);
  }
  void send(Tab tab, const json::object& message) { router_.text(tab, json::serialize(message)); }
  json::object last(Tab tab) { return tabs_.frames[tab].empty() ? json::object{} : tabs_.frames[tab].back(); }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  boost::asio::io_context io_;
  core::Logger logger_ = core::make_logger("test");
  identity::Identity self_ = identity::Identity::generate();
  identity::Identity other_ = identity::Identity::generate();
  discovery::AnnouncementSigner signer_{self_, clock_, "self", 3001};
  discovery::AnnouncementSigner other_signer_{other_, clock_, "other"};
  store::SqliteDatabase db_{dir_.path() / "peerdrop.db"};
  discovery::PeerStore peer_store_{db_};
  discovery::DiscoveryConfig discovery_config_{.loopback = true};
  channel::ChannelConfig channel_config_;
  channel::ChannelHub channels_{io_.get_executor(), self_, clock_, channel_config_, {}, logger_};
  discovery::DiscoveryService discovery_{io_.get_executor(), discovery_config_, 3001, clock_, signer_,
                                         peer_store_, channels_, {}, logger_};
  settings::SettingsStore settings_store_{db_};
  settings::SettingsService settings_{settings_store_, settings::Settings{.name = "self"}, nullptr, logger_};
  relay::TurnCredentials credentials_{clock_};
  testing::FakeProcessLauncher launcher_;
  testing::FakeAlarm relay_alarm_;
  relay::RelayConfig relay_config_;
  relay::RelayService relay_{io_.get_executor(),
                             relay_config_,
                             relay::CoturnConfig{.listening_ips = {"127.0.0.1"}, .loopback = true},
                             dir_.path(),
                             clock_,
                             credentials_,
                             launcher_,
                             relay_alarm_,
                             {},
                             logger_};
  testing::FakeAlarm remote_alarm_;
  relay::RemoteRelays remote_relays_{clock_, remote_alarm_, self_, [](const std::string&) { return true; }, nullptr,
                                     logger_};
  signaling::SignalingConfig signaling_config_;
  signaling::Outbox outbox_{db_, clock_, signaling_config_.outbox};
  signaling::InboxState inbox_{db_};
  signaling::SignalingService signaling_{io_.get_executor(), signaling_config_, clock_, self_, discovery_,
                                         channels_, outbox_, inbox_, {}, logger_};
  transfer::TransferConfig transfer_config_;
  transfer::DownloadFolder folder_ = transfer::DownloadFolder::open(dir_.path() / "PeerDrop").value();
  transfer::ReceivedFileStore received_store_{db_};
  transfer::ReceivedFiles received_{received_store_, folder_, logger_};
  // Wired as the daemon wires it.
  transfer::TransferService transfer_{
      folder_, transfer_config_, clock_, logger_,
      {.progress = [this](const transfer::TransferService::Progress& p) { files_.progress(p); },
       .finished_lookup = [this](const std::string& peer, const std::string& tid,
                                 std::uint32_t index) { return received_.find(peer, tid, index); }}};
  transfer::TransferTimers timers_{io_.get_executor(), transfer_, transfer_config_};
  testing::CapturingTabs tabs_;
  PeerFeed feed_{io_.get_executor(), tabs_, discovery_, settings_, relay_, remote_relays_};
  SignalRouter signals_{tabs_, signaling_, discovery_};
  IceServerList ice_servers_{tabs_, self_.peer_id(), discovery_, settings_, credentials_, relay_, remote_relays_};
  FileTransferHandler files_{io_.get_executor(), tabs_, transfer_, received_, timers_, transfer_config_};
  UiRouter router_{tabs_, feed_, signals_, ice_servers_, files_};
};

TEST_F(UiRouterTest, GreetsANewTabWithEverythingItShows) {
  router_.opened(1);
  std::vector<std::string> types;
  for (const auto& frame : tabs_.frames[1]) types.emplace_back(frame.at("type").as_string());
  EXPECT_EQ(types, (std::vector<std::string>{"welcome", "peers", "settings", "relay", "files"}));
  EXPECT_EQ(tabs_.frames[1][0].at("self").at("id"), self_.peer_id().c_str());
  EXPECT_EQ(tabs_.frames[1][3].at("relay"), json::parse(R"({"enabled":false,"state":"off"})"));
  EXPECT_TRUE(tabs_.frames[2].empty());  // only the new tab
}

TEST_F(UiRouterTest, AnswersWhatItCannotReadToTheTabThatSentIt) {
  router_.text(1, "not json");
  EXPECT_EQ(last(1).at("code"), "bad_request");
  send(1, {{"type", "teleport"}, {"ref", 4}});
  EXPECT_EQ(last(1), json::parse(R"({"type":"error","code":"unknown_type",
      "error":"this daemon does not know the message type \"teleport\"","ref":4})"));
  send(1, {{"type", "file_open"}, {"ref", 5}});
  EXPECT_EQ(last(1).at("code"), "bad_request");
  EXPECT_EQ(last(1).at("ref"), 5);
  EXPECT_TRUE(tabs_.frames[2].empty());
}

TEST_F(UiRouterTest, GetPeersAnswersThePeerList) {
  meet_other();
  send(2, {{"type", "get_peers"}});
  ASSERT_EQ(tabs_.of_type(2, "peers").size(), 1u);
  EXPECT_EQ(tabs_.of_type(2, "peers")[0].at("peers").as_array().at(0).at("name"), "other");
}

TEST_F(UiRouterTest, ASignalIsAcknowledgedAndItsSessionTakenFromTheOtherTabs) {
  send(1, {{"type", "signal"}, {"ref", "a"}, {"to", other_.peer_id()}, {"kind", "offer"}});
  EXPECT_EQ(last(1).at("code"), "unknown_peer");  // not met yet
  EXPECT_EQ(last(1).at("ref"), "a");
  meet_other();
  send(1, {{"type", "signal"}, {"ref", "b"}, {"to", other_.peer_id()}, {"kind", "connection_accept"}, {"session", "s1"}});
  EXPECT_EQ(last(1), json::parse(R"({"type":"ack","ref":"b","seq":1,"to":")" + other_.peer_id() +
                                 R"(","peerOnline":true})"));
  ASSERT_EQ(tabs_.of_type(2, "session_taken").size(), 1u);
  EXPECT_EQ(tabs_.of_type(2, "session_taken")[0].at("session"), "s1");
  // The peer's answer in that session goes to the tab that owns it only.
  signals_.deliver({.from = other_.peer_id(),
                    .type = "answer",
                    .payload = R"({"session":"s1","data":{"sdp":"v=0"}})",
                    .sequence = 1});
  EXPECT_EQ(last(1).at("payload"), json::parse(R"({"sdp":"v=0"})"));
  EXPECT_TRUE(tabs_.of_type(2, "signal").empty());
  // A request of a new session goes to every tab.
  signals_.deliver({.from = other_.peer_id(), .type = "connection_request", .payload = R"({"session":"s2"})",
                    .sequence = 2});
  EXPECT_EQ(tabs_.of_type(1, "signal").size(), 2u);
  EXPECT_EQ(tabs_.of_type(2, "signal").size(), 1u);
  // The peer's daemon acknowledged it: the tab that sent it hears so, with its ref.
  signals_.delivered(1);  // tags count from 1; the refused signal took none
  EXPECT_EQ(tabs_.of_type(1, "delivered").size(), 0u);
  signals_.delivered(2);
  ASSERT_EQ(tabs_.of_type(1, "delivered").size(), 1u);
  EXPECT_EQ(tabs_.of_type(1, "delivered")[0].at("ref"), "b");
}

TEST_F(UiRouterTest, ADaemonsOwnKindIsRefused) {
  meet_other();
  send(1, {{"type", "signal"}, {"to", other_.peer_id()}, {"kind", "relay:grant"}});
  EXPECT_EQ(last(1).at("code"), "bad_request");
  EXPECT_EQ(outbox_.size(), 0u);
}

// (No interface and no proven address here: the user's servers alone.)
TEST_F(UiRouterTest, IceServersAnswerTheTabThatAskedWithTheUsersServersLast) {
  ASSERT_FALSE(settings_.change({.ice_servers = std::vector<settings::IceServer>{{.urls = {"stun:198.51.100.9:3478"}}}}));
  meet_other();
  send(1, {{"type", "ice_servers"}, {"peer", other_.peer_id()}, {"ref", 9}});
  const auto answer = last(1);
  EXPECT_EQ(answer.at("type"), "ice_servers");
  EXPECT_EQ(answer.at("ref"), 9);
  ASSERT_FALSE(answer.at("iceServers").as_array().empty());
  EXPECT_EQ(answer.at("iceServers").as_array().back().at("urls"), json::array{"stun:198.51.100.9:3478"});
  EXPECT_TRUE(tabs_.frames[2].empty());
}

TEST_F(UiRouterTest, AFileOpensIsWrittenAndFinishes) {
  const std::string content = "hello";
  send(1, {{"type", "file_open"}, {"ref", 1}, {"peer", other_.peer_id()}, {"tid", "tid_0123456789abcdefABCD"},
           {"i", 0}, {"path", "a.txt"}, {"size", content.size()}});
  const auto opened = last(1);
  ASSERT_EQ(opened.at("type"), "file_opened") << json::serialize(opened);
  EXPECT_EQ(opened.at("offset"), 0);
  const auto handle = static_cast<std::uint32_t>(opened.at("handle").as_int64());
  std::vector<std::uint8_t> frame{0, 0, 0, static_cast<std::uint8_t>(handle), 0, 0, 0, 0, 0, 0, 0, 0};
  frame.insert(frame.end(), content.begin(), content.end());
  router_.binary(1, frame);
  send(1, {{"type", "file_finish"},
           {"ref", 2},
           {"handle", handle},
           {"size", content.size()},
           {"sha256", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"}});
  EXPECT_EQ(last(1), json::parse(R"({"type":"file_finished","ref":2,"tid":"tid_0123456789abcdefABCD","i":0,
      "ok":true,"name":"a.txt"})"));
  // The finish is a checkpoint: all of it is durable, reported before the answer.
  ASSERT_FALSE(tabs_.of_type(1, "file_progress").empty());
  EXPECT_EQ(tabs_.of_type(1, "file_progress").back().at("durable"), content.size());
  // It landed: it is recorded, and every tab gets the new list once the push delay has passed.
  EXPECT_EQ(received_.recent_files().size(), 1u);
  io_.run_for(transfer_config_.files_push_delay + 200ms);
  ASSERT_EQ(tabs_.of_type(2, "files").size(), 1u);
  EXPECT_EQ(tabs_.of_type(2, "files")[0].at("files").as_array().at(0).at("name"), "a.txt");
}

TEST_F(UiRouterTest, AFileRequestOutOfBoundsSaysWhy) {
  send(1, {{"type", "file_open"}, {"peer", "not-a-peer"}, {"tid", "t"}, {"i", 0}, {"path", "a"}, {"size", 1}});
  EXPECT_EQ(last(1).at("code"), "bad_request");
  EXPECT_EQ(last(1).at("error"),
            "\"peer\" must be a peer id and \"tid\" 22 to 32 characters of A-Z, a-z, 0-9, _ and -");
  send(1, {{"type", "file_finish"}, {"handle", 99}, {"size", 1}, {"sha256", std::string(64, 'a')}});
  EXPECT_EQ(last(1).at("code"), "unknown_handle");
  EXPECT_EQ(last(1).at("handle"), 99);
  router_.binary(1, std::vector<std::uint8_t>{1, 2, 3});
  EXPECT_EQ(last(1).at("code"), "bad_request");
  EXPECT_FALSE(last(1).contains("handle"));
}

}  // namespace
}  // namespace peerdrop::ui
