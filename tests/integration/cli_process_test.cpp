// The real `peerdrop` binary against real peerdropd daemons on loopback
// (--loopback: nothing leaves this machine), as a person at a terminal uses it.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "control/control_endpoint.hpp"
#include "support/cli_process.hpp"
#include "support/daemon_process.hpp"
#include "support/temp_dir.hpp"

namespace peerdrop::testing {
namespace {

using namespace std::chrono_literals;

std::string contents(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class CliProcessTest : public ::testing::Test {
 protected:
  std::filesystem::path data_dir(const std::string& name) const { return dir_.path() / name; }

  std::unique_ptr<DaemonProcess> start(const std::string& name, const std::string& display_name = "") {
    std::vector<std::string> args{"--loopback",       "--port",       "0",
                                  "--name",           display_name.empty() ? name : display_name,
                                  "--data-dir",       data_dir(name).string(),
                                  "--download-dir",   (dir_.path() / (name + "-downloads")).string(),
                                  "--announce-interval", "0.5"};
    return std::make_unique<DaemonProcess>(dir_.path() / (name + "-" + std::to_string(++starts_) + ".log"), args);
  }

  // `peerdrop ARGS --data-dir <name's data dir>`
  CliRun cli(const std::string& name, std::vector<std::string> args,
             const std::map<std::string, std::optional<std::string>>& env = {}) const {
    args.insert(args.end(), {"--data-dir", data_dir(name).string()});
    return run_cli(args, env);
  }

  static std::string id_of(const DaemonEndpoint& endpoint) {
    const auto health = http_get(endpoint, "/api/health");
    return health.status == 200 ? std::string(boost::json::parse(health.body).at("id").as_string()) : "";
  }

  static boost::json::array trusted(const DaemonEndpoint& endpoint) {
    return boost::json::parse(http_get(endpoint, "/api/settings").body).at("autoAccept").as_array();
  }

  // How many peers `peerdrop peers --json` of `name` lists called `peer`, online and verified.
  std::size_t lists_verified(const std::string& name, const std::string& peer) const {
    const auto run = cli(name, {"peers", "--json"});
    if (run.exit_code != 0) return 0;
    const auto answer = boost::json::parse(run.out);
    std::size_t count = 0;
    for (const auto& p : answer.at("peers").as_array()) {
      if (p.at("name") == peer.c_str() && p.at("online").as_bool() && p.at("verified").as_bool()) ++count;
    }
    return count;
  }

  // The offers `name`'s `peerdrop inbox --json` lists.
  boost::json::array offers(const std::string& name) const {
    const auto run = cli(name, {"inbox", "--json"});
    if (run.exit_code != 0) return {};
    return boost::json::parse(run.out).at("offers").as_array();
  }

  // Two daemons that found each other and proved their keys, and a file and a folder to send.
  void start_pair() {
    one_ = start("one");
    two_ = start("two");
    endpoint_of(*one_);
    endpoint_of(*two_);
    ASSERT_TRUE(wait_until([&] { return lists_verified("one", "two") == 1; }, 10s)) << one_->log();
    ASSERT_TRUE(wait_until([&] { return lists_verified("two", "one") == 1; }, 10s)) << two_->log();
    std::filesystem::create_directories(dir_.path() / "outbox" / "folder");
    std::ofstream(dir_.path() / "outbox" / "a.txt") << "hello";
    std::ofstream(dir_.path() / "outbox" / "folder" / "b.txt") << "from the folder";
  }

  TempDir dir_;
  int starts_ = 0;
  std::unique_ptr<DaemonProcess> one_;
  std::unique_ptr<DaemonProcess> two_;
};

TEST_F(CliProcessTest, StatusDescribesThisMachinesDaemon) {
  auto daemon = start("alpha");
  const auto endpoint = endpoint_of(*daemon);
  const auto run = cli("alpha", {"status"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  EXPECT_NE(run.out.find("PeerDrop on this machine: alpha\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("  id         " + id_of(endpoint) + "\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("peerdropd " PEERDROP_VERSION " (pid "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(") at http://127.0.0.1:" + std::to_string(endpoint.port) + "\n"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("  peers      0 online, 0 known, 0 trusted\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("  relay      off\n"), std::string::npos) << run.out;
}

TEST_F(CliProcessTest, TheDaemonSaysWhereItListensInAPrivateFileWhileItRuns) {
  auto daemon = start("alpha");
  const auto endpoint = endpoint_of(*daemon);
  const auto path = data_dir("alpha") / control::kControlEndpointFileName;
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const auto file = boost::json::parse(contents(path));
  EXPECT_EQ(file.at("url"), ("http://127.0.0.1:" + std::to_string(endpoint.port)).c_str());
  EXPECT_EQ(file.at("id"), id_of(endpoint).c_str());
  daemon->signal(SIGTERM);
  ASSERT_EQ(daemon->wait_for_exit(5s), 0) << daemon->log();
  EXPECT_FALSE(std::filesystem::exists(path)) << "removed at a clean stop";
}

TEST_F(CliProcessTest, WithoutADaemonItSaysHowToStartOne) {
  const auto expected = "peerdrop: peerdropd is not running for " + data_dir("nobody").string() +
                        "; start it with: peerdropd --data-dir " + data_dir("nobody").string() + "\n";
  const auto never = cli("nobody", {"status"});
  EXPECT_EQ(never.exit_code, 1);
  EXPECT_EQ(never.err, expected);
  EXPECT_EQ(never.out, "");

  // A daemon that was killed leaves its file behind, naming a process that is gone and a port nobody answers.
  auto daemon = start("nobody");
  endpoint_of(*daemon);
  daemon->signal(SIGKILL);
  ASSERT_TRUE(daemon->wait_for_exit(5s));
  ASSERT_TRUE(std::filesystem::exists(data_dir("nobody") / control::kControlEndpointFileName));
  const auto killed = cli("nobody", {"peers"});
  EXPECT_EQ(killed.exit_code, 1);
  EXPECT_EQ(killed.err, expected);
}

TEST_F(CliProcessTest, AFileNamingAnotherDaemonDoesNotCount) {
  // alpha's file copied to beta's data dir: a live process and a port that answers, but with another id.
  auto alpha = start("alpha");
  endpoint_of(*alpha);
  std::filesystem::create_directories(data_dir("beta"));
  auto file = boost::json::parse(contents(data_dir("alpha") / control::kControlEndpointFileName)).as_object();
  file["id"] = std::string(52, 'A');
  std::ofstream(data_dir("beta") / control::kControlEndpointFileName) << boost::json::serialize(file);
  std::filesystem::copy_file(data_dir("alpha") / "control-token", data_dir("beta") / "control-token");
  const auto run = cli("beta", {"status"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("peerdropd is not running for " + data_dir("beta").string()), std::string::npos) << run.err;
}

TEST_F(CliProcessTest, AWrongKeyFailsWithAClearLine) {
  auto daemon = start("alpha");
  endpoint_of(*daemon);
  const auto token_file = data_dir("alpha") / "control-token";
  std::ofstream(token_file, std::ios::trunc) << std::string(52, 'A') << "\n";  // well formed, not the daemon's
  const auto wrong = cli("alpha", {"status"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_EQ(wrong.err, "peerdrop: peerdropd refused the key in " + token_file.string() +
                           " (the file changed since it started?); restart peerdropd, which reads it again\n");
  EXPECT_EQ(wrong.out, "");

  std::ofstream(token_file, std::ios::trunc) << "not a key\n";
  const auto damaged = cli("alpha", {"peers"});
  EXPECT_EQ(damaged.exit_code, 1);
  EXPECT_EQ(damaged.err, "peerdrop: PeerDrop's key " + token_file.string() +
                             " is missing or damaged; restart peerdropd, which writes a new one (then open the UI "
                             "again with: peerdrop open)\n");
}

TEST_F(CliProcessTest, PeersListsTheDaemonsThatFoundEachOther) {
  auto one = start("one");
  auto two = start("two");
  endpoint_of(*one);
  const auto two_endpoint = endpoint_of(*two);
  ASSERT_TRUE(wait_until([&] { return lists_verified("one", "two") == 1; }, 10s)) << one->log();

  const auto json = cli("one", {"peers", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto peers = boost::json::parse(json.out).at("peers").as_array();
  ASSERT_EQ(peers.size(), 1u) << json.out;
  const auto& peer = peers[0].as_object();
  EXPECT_EQ(peer.at("id"), id_of(two_endpoint).c_str());
  EXPECT_EQ(peer.at("name"), "two");
  EXPECT_EQ(peer.at("online"), true);
  EXPECT_EQ(peer.at("verified"), true);
  EXPECT_EQ(peer.at("outdated"), false);
  EXPECT_EQ(peer.at("trusted"), false);
  EXPECT_EQ(peer.at("addresses"), boost::json::array{("127.0.0.1:" + std::to_string(two_endpoint.port)).c_str()});
  EXPECT_GT(peer.at("lastSeen").as_int64(), 0);
  EXPECT_EQ(peer.size(), 8u) << json.out;

  const auto table = cli("one", {"peers"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_TRUE(table.out.starts_with("NAME  ID       STATE   ADDRESSES")) << table.out;
  EXPECT_NE(table.out.find("\ntwo   " + id_of(two_endpoint).substr(0, 7) + "  online  127.0.0.1:" +
                           std::to_string(two_endpoint.port)),
            std::string::npos)
      << table.out;
  const auto status = cli("one", {"status"});
  EXPECT_NE(status.out.find("  peers      1 online, 1 known, 0 trusted\n"), std::string::npos) << status.out;
}

TEST_F(CliProcessTest, TrustAndUntrustChangeWhoseFilesAreAcceptedWithoutAsking) {
  auto one = start("one");
  auto two = start("two");
  const auto endpoint = endpoint_of(*one);
  const auto two_id = id_of(endpoint_of(*two));
  ASSERT_TRUE(wait_until([&] { return lists_verified("one", "two") == 1; }, 10s)) << one->log();

  const auto trust = cli("one", {"trust", "two"});
  EXPECT_EQ(trust.exit_code, 0) << trust.err;
  EXPECT_EQ(trust.out, "Trusting two (" + two_id.substr(0, 7) +
                           "): its files and connection requests are accepted without asking, and it may use this "
                           "computer's relay.\n");
  EXPECT_EQ(trusted(endpoint), boost::json::array{two_id.c_str()});
  const auto again = cli("one", {"trust", "two"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_EQ(again.out, "two (" + two_id.substr(0, 7) + ") is already trusted; nothing changed.\n");
  EXPECT_EQ(trusted(endpoint), boost::json::array{two_id.c_str()});
  EXPECT_NE(cli("one", {"peers", "--json"}).out.find("\"trusted\":true"), std::string::npos);

  // By the start of its id, in lower case.
  std::string prefix = two_id.substr(0, 5);
  for (auto& c : prefix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto untrust = cli("one", {"untrust", prefix});
  EXPECT_EQ(untrust.exit_code, 0) << untrust.err;
  EXPECT_NE(untrust.out.find("No longer trusting two"), std::string::npos) << untrust.out;
  EXPECT_TRUE(trusted(endpoint).empty());

  // A trusted peer the daemon has forgotten (and not heard again) is untrusted by its id.
  ASSERT_EQ(cli("one", {"trust", "two"}).exit_code, 0);
  two->signal(SIGTERM);
  ASSERT_EQ(two->wait_for_exit(5s), 0);
  ASSERT_EQ(http_get(endpoint, "/api/peers/" + two_id, "DELETE").status, 204);
  EXPECT_EQ(cli("one", {"untrust", "two"}).exit_code, 2) << "its name is gone with it";
  const auto forgotten = cli("one", {"untrust", two_id.substr(0, 6)});
  EXPECT_EQ(forgotten.exit_code, 0) << forgotten.err;
  EXPECT_EQ(forgotten.out, "No longer trusting the peer (" + two_id.substr(0, 7) +
                               "): you are asked before its files and connection requests are accepted.\n");
  EXPECT_TRUE(trusted(endpoint).empty());
}

TEST_F(CliProcessTest, MsgWaitsUntilThePeersDaemonHasItOrSaysItIsQueued) {
  auto one = start("one");
  auto two = start("two");
  endpoint_of(*one);
  const auto two_id = id_of(endpoint_of(*two));
  ASSERT_TRUE(wait_until([&] { return lists_verified("one", "two") == 1; }, 10s)) << one->log();

  const auto sent = cli("one", {"msg", "two", "Hello two"});
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  EXPECT_EQ(sent.out, "Delivered to two (" + two_id.substr(0, 7) + ").\n");
  auto unread = boost::json::parse(http_get(endpoint_of(*two), "/api/messages?unread=1").body);
  ASSERT_EQ(unread.at("messages").as_array().size(), 1u);
  EXPECT_EQ(unread.at("messages").as_array()[0].at("text"), "Hello two");

  EXPECT_EQ(cli("one", {"msg", "two"}).exit_code, 2);
  EXPECT_EQ(cli("one", {"msg", "two", ""}).exit_code, 2);
  const auto refused = cli("one", {"msg", "two", "bell\a"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_TRUE(refused.err.starts_with("peerdrop: peerdropd refused: a message is UTF-8 text")) << refused.err;

  two->signal(SIGTERM);
  ASSERT_EQ(two->wait_for_exit(5s), 0);
  const auto queued = cli("one", {"msg", "two", "While you were away", "--wait", "0.3"});
  ASSERT_EQ(queued.exit_code, 0) << queued.err;
  EXPECT_TRUE(queued.out.starts_with("Queued for two (" + two_id.substr(0, 7) + "): it is delivered when")) << queued.out;

  two = start("two");
  const auto endpoint = endpoint_of(*two);
  ASSERT_TRUE(wait_until(
      [&] {
        unread = boost::json::parse(http_get(endpoint, "/api/messages?unread=1").body);
        return unread.at("messages").as_array().size() == 2;
      },
      10s))
      << two->log();
  EXPECT_EQ(unread.at("messages").as_array()[1].at("text"), "While you were away");
}

TEST_F(CliProcessTest, AnAmbiguousOrUnknownPeerIsAUsageErrorThatListsTheCandidates) {
  auto one = start("one");
  auto twin_a = start("twin-a", "twin");
  auto twin_b = start("twin-b", "twin");
  const auto endpoint = endpoint_of(*one);
  const auto a = id_of(endpoint_of(*twin_a));
  const auto b = id_of(endpoint_of(*twin_b));
  ASSERT_TRUE(wait_until([&] { return lists_verified("one", "twin") == 2; }, 10s)) << one->log();

  const auto ambiguous = cli("one", {"trust", "twin"});
  EXPECT_EQ(ambiguous.exit_code, 2);
  EXPECT_NE(ambiguous.err.find("peerdrop: \"twin\" could be 2 peers; name one by the start of its id"),
            std::string::npos)
      << ambiguous.err;
  EXPECT_NE(ambiguous.err.find("\n  twin  " + a.substr(0, 7) + "  online"), std::string::npos) << ambiguous.err;
  EXPECT_NE(ambiguous.err.find("\n  twin  " + b.substr(0, 7) + "  online"), std::string::npos) << ambiguous.err;
  EXPECT_TRUE(trusted(endpoint).empty()) << "nothing changed";

  const auto unknown = cli("one", {"trust", "garage"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no peer is called \"garage\""), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("\n  twin  " + a.substr(0, 7)), std::string::npos) << unknown.err;

  const auto chosen = cli("one", {"trust", b.substr(0, 6)});
  EXPECT_EQ(chosen.exit_code, 0) << chosen.err;
  EXPECT_EQ(trusted(endpoint), boost::json::array{b.c_str()});
}

TEST_F(CliProcessTest, FindsTheDaemonOfTheDefaultDataDir) {
  std::filesystem::create_directories(dir_.path() / "xdg");
  auto daemon = start("xdg/peerdrop", "home");  // $XDG_DATA_HOME/peerdrop with XDG_DATA_HOME=<tmp>/xdg
  endpoint_of(*daemon);
  const auto run = run_cli({"status"}, {{"XDG_DATA_HOME", (dir_.path() / "xdg").string()}});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("PeerDrop on this machine: home\n"), std::string::npos) << run.out;

  daemon->signal(SIGTERM);
  ASSERT_EQ(daemon->wait_for_exit(5s), 0);
  const auto stopped = run_cli({"status"}, {{"XDG_DATA_HOME", (dir_.path() / "xdg").string()}});
  EXPECT_EQ(stopped.exit_code, 1);
  EXPECT_EQ(stopped.err, "peerdrop: peerdropd is not running for " + data_dir("xdg/peerdrop").string() +
                             "; start it with: peerdropd\n");
}

TEST_F(CliProcessTest, OpenPrintsTheLinkWithTheKey) {
  auto daemon = start("alpha");
  const auto endpoint = endpoint_of(*daemon);
  const auto run = cli("alpha", {"open"}, {{"DISPLAY", std::nullopt}, {"WAYLAND_DISPLAY", std::nullopt}});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "http://127.0.0.1:" + std::to_string(endpoint.port) + "/#token=" + endpoint.token + "\n");
  EXPECT_NE(run.err.find("No display here"), std::string::npos) << run.err;
}

TEST_F(CliProcessTest, OpenHandsTheBrowserAPrivatePageNotTheKey) {
  auto daemon = start("alpha");
  const auto endpoint = endpoint_of(*daemon);
  // A stand-in for xdg-open that notes what it was asked to open.
  const auto bin = dir_.path() / "bin";
  std::filesystem::create_directories(bin);
  const auto asked = dir_.path() / "xdg-open-was-asked";
  std::ofstream(bin / "xdg-open") << "#!/bin/sh\nprintf '%s' \"$*\" > " << asked.string() << ".tmp && mv "
                                  << asked.string() << ".tmp " << asked.string() << "\n";
  std::filesystem::permissions(bin / "xdg-open", std::filesystem::perms::owner_all);
  const auto path = bin.string() + ":" + (std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin");
  const auto run = cli("alpha", {"open"}, {{"DISPLAY", ":99"}, {"PATH", path}});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const auto link = "http://127.0.0.1:" + std::to_string(endpoint.port) + "/#token=" + endpoint.token;
  EXPECT_EQ(run.out, link + "\n");
  ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(asked); }, 10s)) << run.err;
  const std::filesystem::path page = contents(asked);
  EXPECT_EQ(page, std::filesystem::absolute(data_dir("alpha") / "open-ui.html"));
  EXPECT_EQ(page.string().find(endpoint.token), std::string::npos) << "a command line is visible to every user";
  EXPECT_NE(contents(page).find("url=" + link + "\""), std::string::npos) << contents(page);
  struct stat st {};
  ASSERT_EQ(::stat(page.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(CliProcessTest, SendWaitsUntilThePeerAcceptedAndVerifiedTheFiles) {
  start_pair();
  CliRun send;
  const auto outbox = dir_.path() / "outbox";
  std::thread sender(
      [&] { send = cli("one", {"send", (outbox / "a.txt").string(), (outbox / "folder").string(), "--to", "two"}); });
  ASSERT_TRUE(wait_until([&] { return offers("two").size() == 1; }, 10s)) << two_->log();
  const std::string tid(offers("two").at(0).at("tid").as_string());
  const auto inbox = cli("two", {"inbox"});
  EXPECT_EQ(inbox.exit_code, 0) << inbox.err;
  EXPECT_NE(inbox.out.find("1 offer waits for an answer:\n  " + tid.substr(0, 8) + "  from one ("), std::string::npos)
      << inbox.out;
  EXPECT_NE(inbox.out.find("2 files, 20 B  expires in 10 min\n"), std::string::npos) << inbox.out;
  EXPECT_NE(inbox.out.find("Accept with: peerdrop accept <id>"), std::string::npos) << inbox.out;

  const auto accept = cli("two", {"accept", tid[0] == '-' ? tid : tid.substr(0, 6)});
  EXPECT_EQ(accept.exit_code, 0) << accept.err;
  EXPECT_TRUE(accept.out.starts_with("Accepted 2 files (20 B) from one (")) << accept.out;
  sender.join();
  EXPECT_EQ(send.exit_code, 0) << send.err << one_->log();
  EXPECT_TRUE(send.out.starts_with("Sent 2 files (20 B) to two in ")) << send.out;
  EXPECT_TRUE(send.out.ends_with("; two verified them.\n")) << send.out;
  EXPECT_NE(send.err.find(": waiting for two to accept.\n"), std::string::npos) << send.err;
  EXPECT_EQ(contents(dir_.path() / "two-downloads" / "a.txt"), "hello");
  EXPECT_EQ(contents(dir_.path() / "two-downloads" / "folder" / "b.txt"), "from the folder");
  EXPECT_NE(cli("one", {"status"}).out.find("  transfers  none in progress\n"), std::string::npos);
  EXPECT_EQ(cli("two", {"inbox"}).out, "Nothing waits for an answer.\n");
}

TEST_F(CliProcessTest, SendToAPeerThatDeclinesFailsWithTheReason) {
  start_pair();
  CliRun send;
  std::thread sender([&] { send = cli("one", {"send", (dir_.path() / "outbox" / "a.txt").string(), "--to", "two"}); });
  ASSERT_TRUE(wait_until([&] { return offers("two").size() == 1; }, 10s)) << two_->log();
  const std::string tid(offers("two").at(0).at("tid").as_string());
  // An id may start with "-": after "--" it cannot read as an option (and --data-dir goes before it).
  const auto decline = run_cli({"--data-dir", data_dir("two").string(), "decline", "--", tid});
  EXPECT_EQ(decline.exit_code, 0) << decline.err;
  sender.join();
  EXPECT_EQ(send.exit_code, 1);
  EXPECT_TRUE(send.err.ends_with("peerdrop: two declined the 1 file (5 B); nothing was sent\n")) << send.err;
  EXPECT_EQ(send.out, "");
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "two-downloads" / "a.txt"));
}

TEST_F(CliProcessTest, SendWithoutWaitingLeavesItToTheDaemonsAndCancelStopsIt) {
  start_pair();
  const auto send =
      cli("one", {"send", (dir_.path() / "outbox" / "a.txt").string(), "--to", "two", "--no-wait"});
  ASSERT_EQ(send.exit_code, 0) << send.err;
  ASSERT_TRUE(send.out.size() >= 23 && send.out.ends_with("\n")) << send.out;
  const auto tid = send.out.substr(0, send.out.size() - 1);
  const auto status = cli("one", {"status"});
  EXPECT_NE(status.out.find("  transfers  1 in progress\n    " + tid.substr(0, 8) + "  to two ("), std::string::npos)
      << status.out;
  ASSERT_TRUE(wait_until([&] { return offers("two").size() == 1; }, 10s)) << two_->log();

  const auto cancel = run_cli({"--data-dir", data_dir("one").string(), "cancel", "--", tid.substr(0, 5)});
  EXPECT_EQ(cancel.exit_code, 0) << cancel.err;
  EXPECT_TRUE(cancel.out.starts_with("Cancelled the transfer " + tid.substr(0, 8))) << cancel.out;
  EXPECT_TRUE(wait_until([&] { return offers("two").empty(); }, 10s)) << "two is told";
  const auto again = run_cli({"--data-dir", data_dir("one").string(), "cancel", "--", tid});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already ended (cancelled)"), std::string::npos) << again.err;
  const auto all = cli("two", {"accept", "--all"});
  EXPECT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(all.out, "Nothing waits for an answer.\n");
  const auto unknown = cli("two", {"accept", "QQQQ"});
  EXPECT_EQ(unknown.exit_code, 2);
}

TEST_F(CliProcessTest, ACommandLineItDoesNotUnderstandIsAUsageError) {
  for (const auto& args : std::vector<std::vector<std::string>>{{}, {"frobnicate"}, {"trust"}, {"peers", "--xml"},
                                                                {"send", "x"}, {"send", "--to", "bob"}, {"accept"},
                                                                {"accept", "ABCD", "--all"}, {"decline"}, {"cancel"}}) {
    const auto run = run_cli(args);
    EXPECT_EQ(run.exit_code, 2) << (args.empty() ? "" : args[0]) << run.err;
    EXPECT_FALSE(run.err.empty());
  }
  const auto help = run_cli({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* command : {"status", "peers", "trust", "untrust", "open", "send", "inbox", "accept", "decline",
                              "cancel", "--data-dir"}) {
    EXPECT_NE(help.out.find(command), std::string::npos) << command << " in " << help.out;
  }
}

}  // namespace
}  // namespace peerdrop::testing
