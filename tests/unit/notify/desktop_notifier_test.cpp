#include "notify/desktop_notifier.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <stdlib.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <map>
#include <optional>
#include <sstream>

#include "support/fake_clock.hpp"
#include "support/temp_dir.hpp"
#include "support/wait_until.hpp"

namespace peerdrop::notify {
namespace {

std::size_t lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// Without a session bus (a server, a service, an SSH login): one line in the log, and nothing else happens.
class DesktopNotifierWithoutASessionTest : public ::testing::Test {
 protected:
  DesktopNotifierWithoutASessionTest()
      : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(log_)),
        logger_(std::make_shared<spdlog::logger>("notify-test", sink_)) {
    sink_->set_pattern("%v");
    for (const auto* name : {"DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"}) {
      if (const char* value = ::getenv(name)) saved_[name] = value;
      ::unsetenv(name);
    }
  }
  ~DesktopNotifierWithoutASessionTest() override {
    for (const auto& [name, value] : saved_) ::setenv(name.c_str(), value.c_str(), 1);
  }

  // Everything a caller may do, none of which may reach a bus or a hook.
  void use(DesktopNotifier& notifier) {
    EXPECT_FALSE(notifier.available());
    EXPECT_FALSE(notifier.show(OfferNotice{.key = "offer-1", .sender_name = "kitchen", .file_count = 1}));
    notifier.withdraw("offer-1");
    notifier.stop();
    io_.poll();
  }
  DesktopNotifier::Hooks hooks() {
    const auto called = [this](const std::string& key) { calls_.push_back(key); };
    return {.accepted = called, .declined = called, .dismissed = called};
  }

  std::map<std::string, std::string> saved_;
  std::ostringstream log_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
  core::Logger logger_;
  testing::FakeClock clock_;
  boost::asio::io_context io_;
  std::vector<std::string> calls_;
};

TEST_F(DesktopNotifierWithoutASessionTest, NoSessionVariablesIsOneLogLine) {
  {
    DesktopNotifier notifier(io_.get_executor(), clock_, NotifyConfig{}, hooks(), logger_);
    use(notifier);
  }
  EXPECT_EQ(log_.str(),
            "no desktop session (DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR are not set): "
            "offers are answered in the UI or with peerdrop accept\n");
  EXPECT_TRUE(calls_.empty());
}

TEST_F(DesktopNotifierWithoutASessionTest, NoBusAtTheRuntimeDirIsOneLogLine) {
  testing::TempDir runtime;  // a login without a user bus: $XDG_RUNTIME_DIR/bus does not exist
  ::setenv("XDG_RUNTIME_DIR", runtime.path().c_str(), 1);
  {
    DesktopNotifier notifier(io_.get_executor(), clock_, NotifyConfig{}, hooks(), logger_);
    use(notifier);
  }
  EXPECT_EQ(lines(log_.str()), 1u) << log_.str();
  EXPECT_NE(log_.str().find("no desktop session (no session bus at " + runtime.path().string() +
                            "/bus: No such file or directory): offers are answered in the UI or with peerdrop accept"),
            std::string::npos)
      << log_.str();
  EXPECT_TRUE(calls_.empty());
}

TEST_F(DesktopNotifierWithoutASessionTest, AnAddressWhereNothingListensIsOneLogLine) {
  testing::TempDir dir;
  const auto address = "unix:path=" + (dir.path() / "gone").string();
  {
    DesktopNotifier notifier(io_.get_executor(), clock_, NotifyConfig{.bus_address = address}, hooks(), logger_);
    use(notifier);
  }
  EXPECT_EQ(lines(log_.str()), 1u) << log_.str();
  EXPECT_NE(log_.str().find("no desktop session (no session bus at " + address), std::string::npos) << log_.str();
}

TEST_F(DesktopNotifierWithoutASessionTest, ABusThatHangsUpBeforeAnsweringIsOneLogLine) {
  // A socket where something listens but drops every connection (say, another user's bus).
  testing::TempDir dir;
  namespace local = boost::asio::local;
  local::stream_protocol::acceptor listener(io_, local::stream_protocol::endpoint((dir.path() / "bus").string()));
  local::stream_protocol::socket accepted(io_);
  listener.async_accept(accepted, [&](const boost::system::error_code&) { accepted.close(); });
  DesktopNotifier notifier(io_.get_executor(), clock_,
                           NotifyConfig{.bus_address = "unix:path=" + (dir.path() / "bus").string()}, hooks(), logger_);
  ASSERT_TRUE(testing::wait_until(
      [&] {
        io_.poll();
        return !notifier.available();
      },
      std::chrono::seconds(5)));
  use(notifier);
  EXPECT_EQ(lines(log_.str()), 1u) << log_.str();
  EXPECT_NE(log_.str().find("no desktop session (the session bus refused the connection: "), std::string::npos)
      << log_.str();
  EXPECT_NE(log_.str().find("): offers are answered in the UI or with peerdrop accept"), std::string::npos)
      << log_.str();
}

}  // namespace
}  // namespace peerdrop::notify
