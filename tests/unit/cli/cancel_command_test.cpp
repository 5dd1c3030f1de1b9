#include "cli/cancel_command.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "support/fake_control_daemon.hpp"
#include "support/transfer_json.hpp"

namespace peerdrop::cli {
namespace {

using testing::FakeControlDaemon;
using testing::kTid;

const std::string kDone = "DoNe1234efgh5678ijkl90";

class CancelCommandTest : public ::testing::Test {
 protected:
  FakeControlDaemon::Answer handle(const std::string& method, const std::string& target) {
    if (method == "GET" && target == "/api/transfers") {
      return {200, "{\"transfers\":[" + testing::transfer_json({{"state", "accepted"}}) + "," +
                       testing::transfer_json({{"tid", kDone}, {"direction", "incoming"}, {"state", "done"}}) + "]}"};
    }
    if (method == "DELETE" && target == "/api/transfers/" + kTid) {
      if (ended_meanwhile_) return {404, R"({"error":"there is no such transfer","code":"not_found"})"};
      return {204, ""};
    }
    return {404, R"({"error":"there is no such transfer","code":"not_found"})"};
  }

  Outcome<> run(const std::string& transfer) {
    const auto api = daemon_.api();
    return CancelCommand(transfer).run(CommandContext{api, out_, err_});
  }

  bool ended_meanwhile_ = false;
  FakeControlDaemon daemon_{
      [this](const std::string& m, const std::string& t, const std::string&) { return handle(m, t); }};
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(CancelCommandTest, CancelsATransferInProgress) {
  const auto done = run("K3F9");
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(daemon_.requests().back(), "DELETE /api/transfers/" + kTid);
  EXPECT_EQ(out_.str(), "Cancelled the transfer K3F9XZ2A of 3 files (50.0 MiB) to bob (BOBBBBB); bob is told.\n");
}

TEST_F(CancelCommandTest, ATransferThatEndedHasNothingToCancel) {
  const auto done = run("DoNe");
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, ExitCode::failed);
  EXPECT_EQ(done.error().message,
            "the transfer DoNe1234 of 3 files (50.0 MiB) from bob (BOBBBBB) already ended "
            "(done); there is nothing to cancel");
  EXPECT_EQ(daemon_.requests().size(), 1u) << "no DELETE";
  ended_meanwhile_ = true;
  const auto late = run("K3F9");
  ASSERT_FALSE(late);
  EXPECT_NE(late.error().message.find("ended just now"), std::string::npos) << late.error().message;
}

TEST_F(CancelCommandTest, AnUnknownTransferIsAUsageErrorThatListsThem) {
  const auto done = run("nope");
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, ExitCode::usage);
  EXPECT_EQ(done.error().message,
            "no transfer here has an id that starts with \"nope\"; the transfers are:\n"
            "  K3F9XZ2A  to bob (BOBBBBB)  3 files, 50.0 MiB  accepted\n"
            "  DoNe1234  from bob (BOBBBBB)  3 files, 50.0 MiB  done");
}

}  // namespace
}  // namespace peerdrop::cli
