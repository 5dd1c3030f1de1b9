// Offers as desktop notifications, against real parts: a private session
// bus (dbus-daemon), the notification server dunst under Xvfb, and dunst's
// own command line (dunstctl) as the user's hand.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <boost/asio/io_context.hpp>
#include <optional>
#include <sstream>

#include "notify/desktop_notifier.hpp"
#include "support/ci.hpp"
#include "support/desktop_session.hpp"
#include "support/temp_dir.hpp"
#include "support/wait_until.hpp"

namespace peerdrop::notify {
namespace {

using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

class DesktopNotificationTest : public ::testing::Test {
 protected:
  DesktopNotificationTest()
      : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(log_)),
        logger_(std::make_shared<spdlog::logger>("notify-test", sink_)) {
    sink_->set_pattern("%v");
  }

  void SetUp() override {
    if (const auto missing = testing::DesktopSession::missing_programs()) {
      if (testing::ci_requires_every_test()) FAIL() << *missing << "; CI=true requires this test to run";
      GTEST_SKIP() << *missing;
    }
    session_.emplace(dir_.path());
    ASSERT_TRUE(session_->started()) << session_->problem();
  }

  void start_notifier(std::size_t max_shown = 16) {
    DesktopNotifier::Hooks hooks{
        .accepted = [this](const std::string& key) { accepted_.push_back(key); },
        .declined = [this](const std::string& key) { declined_.push_back(key); },
        .dismissed = [this](const std::string& key) { dismissed_.push_back(key); },
    };
    notifier_.emplace(io_.get_executor(), clock_,
                      NotifyConfig{.bus_address = session_->bus_address(), .max_shown = max_shown}, hooks, logger_);
    ASSERT_TRUE(notifier_->available()) << log();
  }

  // Runs the notifier's event loop until `condition` holds, 10 s at most.
  bool run_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 10s) {
    return testing::wait_until(
        [&] {
          io_.restart();
          io_.poll();
          return condition();
        },
        timeout);
  }
  bool displayed(int n) {
    return run_until([&] { return session_->displayed() == n; });
  }
  // The newest closed notification in dunst's history whose summary is `summary`.
  std::map<std::string, std::string> in_history(const std::string& summary) {
    for (const auto& entry : session_->history()) {
      if (entry.count("summary") && entry.at("summary") == summary) return entry;
    }
    return {};
  }
  std::string log() const { return log_.str(); }

  static OfferNotice kitchen(std::string key = "offer-1") {
    return OfferNotice{.key = std::move(key), .sender_name = "kitchen", .file_count = 3, .total_bytes = 12'000'000};
  }

  testing::TempDir dir_;
  std::optional<testing::DesktopSession> session_;
  std::ostringstream log_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
  core::Logger logger_;
  core::SystemClock clock_;
  boost::asio::io_context io_;
  Strings accepted_, declined_, dismissed_;
  std::optional<DesktopNotifier> notifier_;  // after the session and the loop: it goes first
};

TEST_F(DesktopNotificationTest, AcceptInTheNotificationAcceptsTheOffer) {
  start_notifier();
  session_->choose("Accept");
  ASSERT_TRUE(notifier_->show(kitchen()));
  ASSERT_TRUE(displayed(1)) << session_->problem();

  ASSERT_EQ(session_->dunstctl({"context"}).exit_code, 0);  // the user opens the notification's actions
  ASSERT_TRUE(run_until([&] { return !accepted_.empty(); })) << log();
  EXPECT_EQ(accepted_, Strings{"offer-1"});
  EXPECT_TRUE(declined_.empty());
  const auto menu = session_->menu_input();
  EXPECT_NE(menu.find("#Accept (Files from kitchen) ["), std::string::npos) << menu;
  EXPECT_NE(menu.find("#Decline (Files from kitchen) ["), std::string::npos) << menu;

  // Answered: the notification goes away, and it said what the offer is.
  EXPECT_TRUE(displayed(0));
  const auto shown = in_history("Files from kitchen");
  ASSERT_FALSE(shown.empty()) << session_->dunstctl({"history"}).output;
  EXPECT_EQ(shown.at("appname"), "PeerDrop");
  EXPECT_EQ(shown.at("body"), "3 files, 12 MB");
  EXPECT_EQ(shown.at("category"), "transfer");
  EXPECT_EQ(shown.at("timeout"), "0");  // an offer without expiry: the notification stays
  EXPECT_TRUE(dismissed_.empty());
  EXPECT_NE(log().find("offer offer-1 accepted in a desktop notification"), std::string::npos) << log();
}

TEST_F(DesktopNotificationTest, DeclineInTheNotificationDeclinesTheOffer) {
  start_notifier();
  session_->choose("Decline");
  ASSERT_TRUE(notifier_->show(kitchen()));
  ASSERT_TRUE(displayed(1));
  ASSERT_EQ(session_->dunstctl({"context"}).exit_code, 0);
  ASSERT_TRUE(run_until([&] { return !declined_.empty(); })) << log();
  EXPECT_EQ(declined_, Strings{"offer-1"});
  EXPECT_TRUE(accepted_.empty());
  EXPECT_TRUE(displayed(0));
}

TEST_F(DesktopNotificationTest, DismissingTheNotificationLeavesTheOfferWaiting) {
  start_notifier();
  ASSERT_TRUE(notifier_->show(kitchen()));
  ASSERT_TRUE(displayed(1));
  ASSERT_EQ(session_->dunstctl({"close"}).exit_code, 0);  // the user closes it without answering
  ASSERT_TRUE(run_until([&] { return !dismissed_.empty(); })) << log();
  EXPECT_EQ(dismissed_, Strings{"offer-1"});
  EXPECT_TRUE(accepted_.empty());
  EXPECT_TRUE(declined_.empty());
}

TEST_F(DesktopNotificationTest, WithdrawClosesTheNotificationWithoutAnAnswer) {
  start_notifier();
  ASSERT_TRUE(notifier_->show(kitchen("offer-1")));
  ASSERT_TRUE(displayed(1));
  notifier_->withdraw("offer-1");  // answered in a tab, say
  ASSERT_TRUE(displayed(0));
  EXPECT_FALSE(in_history("Files from kitchen").empty());

  // dunst sends its signals in order: once the second offer's dismissal is
  // here, so is whatever it said about the first one, which reports nothing.
  ASSERT_TRUE(notifier_->show(kitchen("offer-2")));
  ASSERT_TRUE(displayed(1));
  ASSERT_EQ(session_->dunstctl({"close"}).exit_code, 0);
  ASSERT_TRUE(run_until([&] { return !dismissed_.empty(); })) << log();
  EXPECT_EQ(dismissed_, Strings{"offer-2"});
  EXPECT_TRUE(accepted_.empty());
}

TEST_F(DesktopNotificationTest, ANotificationLastsAsLongAsItsOffer) {
  start_notifier();
  auto offer = kitchen();
  offer.expires_at = clock_.now() + 1500ms;
  ASSERT_TRUE(notifier_->show(offer));
  ASSERT_TRUE(displayed(1));
  // dunst closes it when the offer expires, by itself.
  ASSERT_TRUE(run_until([&] { return !dismissed_.empty(); })) << log();
  EXPECT_EQ(dismissed_, Strings{"offer-1"});
  const auto shown = in_history("Files from kitchen");
  ASSERT_FALSE(shown.empty());
  const auto timeout_us = std::stoll(shown.at("timeout"));  // dunst keeps it in microseconds
  EXPECT_GT(timeout_us, 1'000'000);
  EXPECT_LE(timeout_us, 1'500'000);
}

TEST_F(DesktopNotificationTest, NamesFromThePeerAreShownAsText) {
  start_notifier();
  ASSERT_TRUE(notifier_->show(OfferNotice{.key = "offer-1",
                                          .sender_name = "<b>kitchen</b>\n\xe2\x80\xaetxt.exe",
                                          .file_count = 1,
                                          .total_bytes = 1'500,
                                          .file_name = "a&b <i>x</i>.txt"}));
  ASSERT_TRUE(displayed(1));
  notifier_->withdraw("offer-1");
  ASSERT_TRUE(displayed(0));
  const auto shown = in_history("A file from <b>kitchen</b> txt.exe");
  ASSERT_FALSE(shown.empty()) << session_->dunstctl({"history"}).output;
  EXPECT_EQ(shown.at("body"), "a&amp;b &lt;i&gt;x&lt;/i&gt;.txt, 1.5 kB");
  // What dunst renders (its markup): the peer's tags are text, not bold or italics.
  const auto& rendered = shown.at("message");
  EXPECT_NE(rendered.find("&lt;b&gt;kitchen&lt;/b&gt;"), std::string::npos) << rendered;
  EXPECT_NE(rendered.find("a&amp;b &lt;i&gt;x&lt;/i&gt;.txt"), std::string::npos) << rendered;
  EXPECT_EQ(rendered.find("<i>"), std::string::npos) << rendered;
}

TEST_F(DesktopNotificationTest, AtMostMaxShownNotificationsAtOnce) {
  start_notifier(/*max_shown=*/3);
  // Offers that read differently (dunst shows identical notifications as one, below).
  const auto offer = [](const std::string& key) {
    return OfferNotice{.key = key, .sender_name = "computer " + key, .file_count = 2, .total_bytes = 2'000};
  };
  for (const auto* key : {"a", "b", "c"}) ASSERT_TRUE(notifier_->show(offer(key)));
  EXPECT_FALSE(notifier_->show(offer("d")));
  EXPECT_FALSE(notifier_->show(offer("e")));
  ASSERT_TRUE(displayed(3));
  EXPECT_EQ(count(log(), "3 offers are shown as desktop notifications already"), 1u) << log();

  notifier_->withdraw("a");  // its place is free once it is off the desktop
  ASSERT_TRUE(displayed(2));
  EXPECT_TRUE(notifier_->show(offer("d")));
  EXPECT_TRUE(displayed(3));
  EXPECT_TRUE(dismissed_.empty());
}

TEST_F(DesktopNotificationTest, AnIdenticalNotificationThatReplacesAnotherDismissesIt) {
  // dunst shows a notification identical to one on the screen in its place
  // (stack_duplicates) and closes the first: that offer's notification is gone.
  start_notifier();
  ASSERT_TRUE(notifier_->show(kitchen("offer-1")));
  ASSERT_TRUE(notifier_->show(kitchen("offer-2")));
  ASSERT_TRUE(run_until([&] { return !dismissed_.empty(); })) << log();
  EXPECT_EQ(dismissed_, Strings{"offer-1"});
  ASSERT_TRUE(displayed(1));
  ASSERT_EQ(session_->dunstctl({"context"}).exit_code, 0);
  ASSERT_TRUE(run_until([&] { return !accepted_.empty(); })) << log();
  EXPECT_EQ(accepted_, Strings{"offer-2"});
}

TEST_F(DesktopNotificationTest, StoppingLeavesNoNotificationBehind) {
  // A daemon that stops leaves no Accept button that nobody listens to.
  start_notifier();
  ASSERT_TRUE(notifier_->show(kitchen("offer-1")));
  ASSERT_TRUE(notifier_->show(OfferNotice{.key = "offer-2", .sender_name = "hall", .file_count = 2}));
  ASSERT_TRUE(displayed(2));
  notifier_->stop();
  EXPECT_FALSE(notifier_->available());
  EXPECT_TRUE(displayed(0));
  EXPECT_TRUE(dismissed_.empty());
}

TEST_F(DesktopNotificationTest, ABusThatGoesAwayIsLoggedOnceAndEndsNotifications) {
  start_notifier();
  ASSERT_TRUE(notifier_->show(kitchen()));
  ASSERT_TRUE(displayed(1));
  session_->kill_bus();
  ASSERT_TRUE(run_until([&] { return !notifier_->available(); })) << log();
  EXPECT_FALSE(notifier_->show(kitchen("offer-2")));
  notifier_->withdraw("offer-1");
  io_.restart();
  io_.poll();
  EXPECT_EQ(count(log(), "the desktop session bus went away"), 1u) << log();
  EXPECT_TRUE(accepted_.empty());
  EXPECT_TRUE(dismissed_.empty());
}

}  // namespace
}  // namespace peerdrop::notify
