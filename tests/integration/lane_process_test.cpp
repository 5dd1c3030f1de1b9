// Files daemon to daemon (the transfer lane) between real peerdropd
// processes on loopback, answered the ways a person answers an offer with no
// tab open: a desktop notification (a private session bus, dunst under Xvfb,
// dunstctl as the user's hand) and the control API the `peerdrop` command uses.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <optional>
#include <sstream>

#include "support/ci.hpp"
#include "support/daemon_process.hpp"
#include "support/desktop_session.hpp"
#include "support/temp_dir.hpp"
#include "support/wait_until.hpp"

namespace peerdrop::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

std::string contents(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class LaneProcessTest : public ::testing::Test {
 protected:
  std::unique_ptr<DaemonProcess> start(const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--loopback",     "--port",         "0",
                                  "--name",         name,
                                  "--data-dir",     (dir_.path() / name).string(),
                                  "--download-dir", downloads(name).string(),
                                  "--announce-interval", "0.5"};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<DaemonProcess>(dir_.path() / (name + ".log"), args);
  }
  std::filesystem::path downloads(const std::string& name) const { return dir_.path() / (name + "-downloads"); }

  static std::string id_of(const DaemonEndpoint& endpoint) {
    const auto health = http_get(endpoint, "/api/health");
    return health.status == 200 ? std::string(json::parse(health.body).at("id").as_string()) : "";
  }
  static bool lists_verified(const DaemonEndpoint& observer, const std::string& id) {
    const auto peers = http_get(observer, "/api/peers");
    if (peers.status != 200) return false;
    const auto list = json::parse(peers.body);  // named: a range-for does not keep a temporary's member alive
    for (const auto& p : list.as_array()) {
      if (p.at("id") == id.c_str() && p.at("verified").as_bool() && p.at("online").as_bool()) return true;
    }
    return false;
  }
  static std::string state_of(const DaemonEndpoint& daemon, const std::string& tid) {
    const auto answer = http_get(daemon, "/api/transfers/" + tid);
    return answer.status == 200 ? std::string(json::parse(answer.body).at("state").as_string()) : "";
  }
  // Offers `file` from `from` to the peer `to_id`; the transfer id.
  static std::string offer(const DaemonEndpoint& from, const std::string& to_id, const std::filesystem::path& file) {
    const auto made = http_get(from, "/api/transfers", "POST",
                               json::serialize(json::object{{"to", to_id}, {"paths", json::array{file.string()}}}));
    EXPECT_EQ(made.status, 201) << made.body;
    return made.status == 201 ? std::string(json::parse(made.body).at("tid").as_string()) : "";
  }

  // A desktop session (bus, Xvfb, dunst), and two daemons that see each other:
  // kitchen, and laptop, whose offers show as desktop notifications there.
  void start_pair() {
    if (const auto missing = DesktopSession::missing_programs()) {
      if (ci_requires_every_test()) FAIL() << *missing << "; CI=true requires this test to run";
      GTEST_SKIP() << *missing;
    }
    std::filesystem::create_directories(dir_.path() / "desktop");
    session_.emplace(dir_.path() / "desktop");
    ASSERT_TRUE(session_->started()) << session_->problem();
    kitchen_ = start("kitchen");
    laptop_ = start("laptop", {"--notify-bus", session_->bus_address()});
    kitchen_at_ = endpoint_of(*kitchen_);
    laptop_at_ = endpoint_of(*laptop_);
    laptop_id_ = id_of(laptop_at_);
    ASSERT_TRUE(wait_until([&] { return lists_verified(kitchen_at_, laptop_id_); }, 10s)) << kitchen_->log();
  }

  TempDir dir_;
  std::optional<DesktopSession> session_;
  std::unique_ptr<DaemonProcess> kitchen_;
  std::unique_ptr<DaemonProcess> laptop_;
  DaemonEndpoint kitchen_at_;
  DaemonEndpoint laptop_at_;
  std::string laptop_id_;
};

TEST_F(LaneProcessTest, AnOfferAcceptedInADesktopNotificationLands) {
  start_pair();
  if (IsSkipped() || HasFatalFailure()) return;

  const auto file = dir_.path() / "notes.txt";
  std::ofstream(file) << "the shopping list\n";
  session_->choose("Accept");
  const auto tid = offer(kitchen_at_, laptop_id_, file);
  ASSERT_TRUE(wait_until([&] { return session_->displayed() == 1; }, 10s)) << laptop_->log();
  EXPECT_EQ(state_of(kitchen_at_, tid), "offered");
  EXPECT_FALSE(std::filesystem::exists(downloads("laptop") / "notes.txt")) << "nothing before an answer";

  ASSERT_EQ(session_->dunstctl({"context"}).exit_code, 0);  // the user opens the notification's actions
  ASSERT_TRUE(wait_until([&] { return state_of(kitchen_at_, tid) == "done"; }, 10s)) << laptop_->log();
  EXPECT_EQ(contents(downloads("laptop") / "notes.txt"), "the shopping list\n");
  const auto received = json::parse(http_get(laptop_at_, "/api/transfers/" + tid).body);
  EXPECT_EQ(received.at("answered_by"), "notification");
  EXPECT_TRUE(wait_until([&] { return session_->displayed() == 0; }, 5s)) << "answered: the notification went away";
}

TEST_F(LaneProcessTest, AnOfferAnsweredElsewhereLeavesNoNotificationBehind) {
  start_pair();
  if (IsSkipped() || HasFatalFailure()) return;

  const auto file = dir_.path() / "notes.txt";
  std::ofstream(file) << "x";
  const auto tid = offer(kitchen_at_, laptop_id_, file);
  ASSERT_TRUE(wait_until([&] { return session_->displayed() == 1; }, 10s)) << laptop_->log();
  // Declined from the command line (the control API): the notification is withdrawn, nothing lands.
  const auto declined = http_get(laptop_at_, "/api/offers/" + tid + "/decline", "POST", R"({"via":"command line"})");
  ASSERT_EQ(declined.status, 204) << declined.body;
  EXPECT_TRUE(wait_until([&] { return session_->displayed() == 0; }, 5s)) << laptop_->log();
  ASSERT_TRUE(wait_until([&] { return state_of(kitchen_at_, tid) == "declined"; }, 5s)) << kitchen_->log();
  EXPECT_FALSE(std::filesystem::exists(downloads("laptop") / "notes.txt"));
}

}  // namespace
}  // namespace peerdrop::testing
