#include "cli/send_command.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <deque>
#include <fstream>
#include <sstream>

#include "support/fake_clock.hpp"
#include "support/fake_control_daemon.hpp"
#include "support/temp_dir.hpp"
#include "support/transfer_json.hpp"

namespace peerdrop::cli {
namespace {

using testing::FakeControlDaemon;
using testing::kBobId;
using testing::kTid;
using testing::transfer_json;
constexpr std::uint64_t kMiB = 1024 * 1024;

std::string peers_json(bool online = true) {
  return R"([{"id":")" + kBobId + R"(","name":"bob","addresses":["127.0.0.1:3012"],"online":)" +
         (online ? "true" : "false") + R"(,"verified":true,"lastSeen":1764000000000}])";
}

// A daemon whose transfer goes through `states` (one per GET of it, the last one repeats).
class SendCommandTest : public ::testing::Test {
 protected:
  SendCommandTest() {
    std::ofstream(dir_.path() / "a.txt") << "hello";
    std::filesystem::create_directories(dir_.path() / "photos");
  }

  FakeControlDaemon::Answer handle(const std::string& method, const std::string& target, const std::string&) {
    if (method == "GET" && target == "/api/peers") return {200, peers_json(online_)};
    if (method == "POST" && target == "/api/transfers") return post_;
    if (method == "GET" && target == "/api/transfers/" + kTid) {
      if (lost_ > 0) {
        --lost_;
        return {0, ""};
      }
      auto answer = polls_.front();
      if (polls_.size() > 1) polls_.pop_front();
      return answer;
    }
    return {404, R"({"error":"no such thing","code":"not_found"})"};
  }

  SendSurroundings surroundings(bool terminal = false) {
    return SendSurroundings{.clock = clock_,
                            .sleep = [this](std::chrono::milliseconds d) { clock_.advance(d); },
                            .relocate = [this]() -> Outcome<DaemonApi> {
                              ++relocations_;
                              if (relocations_ <= relocation_failures_) return failed("peerdropd is not running");
                              return daemon_.api();
                            },
                            .interrupted = [this] { return interrupt_after_ >= 0 && interrupt_after_-- == 0; },
                            .terminal = terminal};
  }

  Outcome<> send(SendRequest request, bool terminal = false) {
    const auto api = daemon_.api();
    return SendCommand(std::move(request), surroundings(terminal)).run(CommandContext{api, out_, err_});
  }

  SendRequest to_bob() const {
    return SendRequest{
        .paths = {(dir_.path() / "a.txt").string(), (dir_.path() / "photos").string()}, .peer = "bob", .wait = true};
  }

  std::size_t requests_for(const std::string& start) const {
    std::size_t count = 0;
    for (const auto& r : daemon_.requests()) count += r.starts_with(start) ? 1 : 0;
    return count;
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  bool online_ = true;
  FakeControlDaemon::Answer post_{201, transfer_json()};
  std::deque<FakeControlDaemon::Answer> polls_;
  int lost_ = 0;  // GETs of the transfer that go unanswered
  int relocations_ = 0;
  int relocation_failures_ = 0;
  int interrupt_after_ = -1;  // how many checks pass before Ctrl-C
  FakeControlDaemon daemon_{
      [this](const std::string& m, const std::string& t, const std::string& b) { return handle(m, t, b); }};
  std::ostringstream out_;
  std::ostringstream err_;
};

FakeControlDaemon::Answer state(const std::string& name, std::uint64_t done_bytes, boost::json::object more = {}) {
  more["state"] = name;
  more["done_bytes"] = done_bytes;
  return {200, transfer_json(more)};
}

TEST_F(SendCommandTest, OffersTheFilesWaitsAndSaysWhenThePeerVerifiedThem) {
  polls_ = {state("offered", 0), state("accepted", 10 * kMiB), state("accepted", 30 * kMiB),
            state("done", 50 * kMiB, {{"files_landed", 3}})};
  const auto done = send(to_bob());
  ASSERT_TRUE(done) << done.error().message;
  // Accepted between 200 and 400 ms; done at 800 ms: 0.6 s for 50 MiB.
  EXPECT_EQ(out_.str(), "Sent 3 files (50.0 MiB) to bob in 0.6 s (83.3 MiB/s); bob verified them.\n");
  EXPECT_EQ(err_.str(),
            "Offered 3 files (50.0 MiB) to bob (BOBBBBB): waiting for bob to accept.\n"
            "bob accepted; sending 3 files (50.0 MiB).\n")
      << "no progress redraws where stderr is not a terminal";
  const auto posted = daemon_.requests().at(1);
  EXPECT_EQ(posted, "POST /api/transfers {\"to\":\"" + kBobId + "\",\"paths\":[\"" + (dir_.path() / "a.txt").string() +
                        "\",\"" + (dir_.path() / "photos").string() + "\"]}");
  EXPECT_EQ(requests_for("GET /api/transfers/" + kTid), 4u);
}

TEST_F(SendCommandTest, OnATerminalItRedrawsOneProgressLine) {
  polls_ = {state("accepted", 0), state("accepted", 5 * kMiB), state("accepted", 10 * kMiB),
            state("accepted", 15 * kMiB), state("done", 50 * kMiB)};
  ASSERT_TRUE(send(to_bob(), true));
  const auto err = err_.str();
  EXPECT_NE(err.find("\r\033[K[          ]   0%  0 B of 50.0 MiB"), std::string::npos) << err;
  // 15 MiB in 600 ms: 25 MiB/s, 35 MiB to go: 1.4 s.
  EXPECT_NE(err.find("\r\033[K[###       ]  30%  15.0 MiB of 50.0 MiB  25.0 MiB/s  ETA 0:02"), std::string::npos)
      << err;
  EXPECT_TRUE(err.ends_with("\r\033[K")) << "the progress line is gone before the result";
  EXPECT_EQ(err.find('\n', err.find("\r")), std::string::npos) << "redrawn in place: " << err;
  EXPECT_NE(out_.str().find("Sent 3 files"), std::string::npos);
}

TEST_F(SendCommandTest, ProgressShownNeverGoesBack) {
  // The sender's count dips to 0 between a file's last byte and the receiver's verdict.
  polls_ = {state("accepted", 10 * kMiB), state("accepted", 50 * kMiB), state("accepted", 0), state("done", 50 * kMiB)};
  ASSERT_TRUE(send(to_bob(), true));
  EXPECT_EQ(err_.str().find("0 B of 50.0 MiB"), std::string::npos) << err_.str();
  const auto err = err_.str();
  const auto full = std::string("\r\033[K[##########] 100%  50.0 MiB of 50.0 MiB");
  ASSERT_NE(err.find(full), std::string::npos) << err;
  EXPECT_NE(err.find(full, err.find(full) + 1), std::string::npos) << "drawn again as it was: " << err;
}

TEST_F(SendCommandTest, SaysWhyBytesStopAndWhenTheyGoOn) {
  polls_ = {state("accepted", 10 * kMiB, {{"stalled", "the receiver's disk is full"}}),
            state("accepted", 10 * kMiB, {{"stalled", "the receiver's disk is full"}}), state("accepted", 20 * kMiB),
            state("done", 50 * kMiB)};
  ASSERT_TRUE(send(to_bob()));
  EXPECT_NE(err_.str().find("\nStalled: the receiver's disk is full\nGoing on.\n"), std::string::npos) << err_.str();
}

TEST_F(SendCommandTest, ADeclinedOfferFailsWithThePeersAnswer) {
  polls_ = {state("offered", 0),
            state("declined", 0, {{"code", "declined"}, {"reason", "the receiver declined"}, {"expires_at", nullptr}})};
  const auto done = send(to_bob());
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, ExitCode::failed);
  EXPECT_EQ(done.error().message, "bob declined the 3 files (50.0 MiB); nothing was sent");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(SendCommandTest, OtherEndingsFailWithTheDaemonsReason) {
  polls_ = {state("failed", 10 * kMiB, {{"code", "disk_full"}, {"reason", "the receiver's disk is full"}})};
  auto done = send(to_bob());
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().message, "the transfer to bob failed (the receiver's disk is full)");
  polls_ = {state("expired", 0, {{"code", "expired"}, {"reason", "nobody answered the offer within 10 min"}})};
  done = send(to_bob());
  ASSERT_FALSE(done);
  EXPECT_TRUE(done.error().message.starts_with("the offer to bob expired (nobody answered the offer within 10 min); "))
      << done.error().message;
  polls_ = {state("cancelled", 0, {{"code", "cancelled"}, {"reason", "the receiver cancelled"}})};
  done = send(to_bob());
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().message, "the transfer to bob was cancelled (the receiver cancelled)");
}

TEST_F(SendCommandTest, AnUnknownPeerIsAUsageErrorThatListsTheCandidates) {
  auto request = to_bob();
  request.peer = "carol";
  const auto done = send(request);
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, ExitCode::usage);
  EXPECT_EQ(
      done.error().message,
      "no peer is called \"carol\" or has an id that starts with it; the known peers are:\n  bob  BOBBBBB  online");
  EXPECT_EQ(requests_for("POST"), 0u) << "nothing offered";
}

TEST_F(SendCommandTest, APathThatIsNotThereFailsBeforeAnythingIsAsked) {
  auto request = to_bob();
  request.paths.push_back("/no/such/file");
  const auto done = send(request);
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, ExitCode::failed);
  EXPECT_EQ(done.error().message, "/no/such/file: no such file or folder");
  EXPECT_TRUE(daemon_.requests().empty());
}

TEST_F(SendCommandTest, RelativePathsAreMadeAbsolute) {
  polls_ = {state("done", 50 * kMiB)};
  const auto before = std::filesystem::current_path();
  std::filesystem::current_path(dir_.path() / "photos");
  const auto done = send(SendRequest{.paths = {"../a.txt", ".", "../photos/"}, .peer = "BOBB", .wait = true});
  std::filesystem::current_path(before);
  ASSERT_TRUE(done) << done.error().message;
  const auto& dir = dir_.path().string();
  EXPECT_EQ(daemon_.requests().at(1), "POST /api/transfers {\"to\":\"" + kBobId + "\",\"paths\":[\"" + dir +
                                          "/a.txt\",\"" + dir + "/photos\",\"" + dir + "/photos\"]}");
}

TEST_F(SendCommandTest, TheDaemonsRefusalIsSaid) {
  post_ = {400, R"({"error":"/x/secret: Permission denied","code":"unreadable"})"};
  const auto done = send(to_bob());
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().message, "peerdropd refused: /x/secret: Permission denied");
  EXPECT_EQ(done.error().cause, "unreadable");
}

TEST_F(SendCommandTest, WithoutWaitingItPrintsTheTransfersId) {
  auto request = to_bob();
  request.wait = false;
  ASSERT_TRUE(send(request));
  EXPECT_EQ(out_.str(), kTid + "\n");
  EXPECT_EQ(err_.str(),
            "Offered 3 files (50.0 MiB) to bob (BOBBBBB); it goes on in the background: peerdrop status "
            "shows its progress.\n");
  EXPECT_EQ(requests_for("GET /api/transfers/"), 0u);
}

TEST_F(SendCommandTest, ToAnOfflinePeerItSaysTheOfferWaits) {
  online_ = false;
  polls_ = {state("done", 50 * kMiB)};
  ASSERT_TRUE(send(to_bob()));
  EXPECT_TRUE(err_.str().starts_with(
      "Offered 3 files (50.0 MiB) to bob (BOBBBBB): bob is offline; waiting for it to come back and accept.\n"))
      << err_.str();
}

TEST_F(SendCommandTest, CtrlCEndsTheWaitingNotTheTransfer) {
  polls_ = {state("accepted", 10 * kMiB)};
  interrupt_after_ = 3;
  const auto done = send(to_bob());
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, ExitCode::failed);
  EXPECT_EQ(done.error().message,
            "stopped waiting; the transfer to bob goes on in the background: peerdrop status "
            "shows it, peerdrop cancel K3F9XZ2A stops it");
  EXPECT_EQ(requests_for("DELETE"), 0u);
}

TEST_F(SendCommandTest, ARestartedDaemonIsFoundAgain) {
  polls_ = {state("accepted", 10 * kMiB), state("accepted", 20 * kMiB), state("done", 50 * kMiB)};
  lost_ = 2;                 // the first poll, and the first look after finding it again
  relocation_failures_ = 2;  // not running for two seconds
  const auto done = send(to_bob());
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_NE(err_.str().find("Lost peerdropd; waiting up to 30 s for it to come back.\npeerdropd is back.\n"),
            std::string::npos)
      << err_.str();
  EXPECT_EQ(relocations_, 4);
}

TEST_F(SendCommandTest, ADaemonThatStaysAwayEndsTheWaitingAfterHalfAMinute) {
  polls_ = {state("accepted", 10 * kMiB)};
  lost_ = 1;
  relocation_failures_ = 1'000;
  const auto start = clock_.now();
  const auto done = send(to_bob());
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, ExitCode::failed);
  EXPECT_EQ(done.error().message,
            "peerdropd stopped answering for 30 s; the transfer to bob goes on in the "
            "background once it runs again: peerdrop status shows it, peerdrop cancel K3F9XZ2A "
            "stops it");
  EXPECT_GE(clock_.now() - start, SendCommand::kRelocateFor);
  EXPECT_LE(clock_.now() - start, SendCommand::kRelocateFor + std::chrono::seconds(2));
}

TEST_F(SendCommandTest, ATransferTheDaemonForgotFails) {
  polls_ = {{404, R"({"error":"there is no such transfer or offer","code":"not_found"})"}};
  const auto done = send(to_bob());
  ASSERT_FALSE(done);
  EXPECT_TRUE(done.error().message.starts_with("peerdropd no longer knows transfer K3F9XZ2A")) << done.error().message;
}

}  // namespace
}  // namespace peerdrop::cli
