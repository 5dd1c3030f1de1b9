#include "cli/answer_command.hpp"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "support/fake_control_daemon.hpp"
#include "support/transfer_json.hpp"

namespace peerdrop::cli {
namespace {

using testing::FakeControlDaemon;

const std::string kFirst = "AbCd1234efgh5678ijkl90";
const std::string kSecond = "Zz_-aaaaaaaaaaaaaaaaaa";

// A daemon with two offers waiting; `gone` ones answer 404 (expired meanwhile).
class AnswerCommandTest : public ::testing::Test {
 protected:
  FakeControlDaemon::Answer handle(const std::string& method, const std::string& target) {
    if (method == "GET" && target == "/api/offers") {
      std::string list;
      for (const auto& tid : waiting_) {
        list +=
            (list.empty() ? "" : ",") +
            testing::transfer_json({{"tid", tid}, {"direction", "incoming"}, {"file_count", 1}, {"total_bytes", 2048}});
      }
      return {200, "{\"offers\":[" + list + "]}"};
    }
    for (const auto& tid : waiting_) {
      if (method == "POST" &&
          (target == "/api/offers/" + tid + "/accept" || target == "/api/offers/" + tid + "/decline")) {
        if (gone_.contains(tid)) break;
        return {204, ""};
      }
    }
    return {404, R"({"error":"there is no such transfer or offer","code":"not_found"})"};
  }

  Outcome<> run(const std::string& offer, bool all, bool accept) {
    const auto api = daemon_.api();
    return AnswerCommand(offer, all, accept).run(CommandContext{api, out_, err_});
  }

  std::vector<std::string> answers() const {
    std::vector<std::string> posts;
    for (const auto& r : daemon_.requests()) {
      if (r.starts_with("POST")) posts.push_back(r);
    }
    return posts;
  }

  std::vector<std::string> waiting_{kFirst, kSecond};
  std::set<std::string> gone_;
  FakeControlDaemon daemon_{
      [this](const std::string& m, const std::string& t, const std::string&) { return handle(m, t); }};
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(AnswerCommandTest, AcceptsAnOfferNamedByTheStartOfItsId) {
  const auto done = run("AbCd", false, true);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(answers(), std::vector<std::string>{"POST /api/offers/" + kFirst + "/accept {\"via\":\"command line\"}"});
  EXPECT_EQ(out_.str(),
            "Accepted 1 file (2.0 KiB) from bob (BOBBBBB) [AbCd1234]: peerdrop status shows the progress.\n");
}

TEST_F(AnswerCommandTest, DeclinesAnOffer) {
  ASSERT_TRUE(run(kSecond, false, false));
  EXPECT_EQ(answers(), std::vector<std::string>{"POST /api/offers/" + kSecond + "/decline {\"via\":\"command line\"}"});
  EXPECT_EQ(out_.str(), "Declined 1 file (2.0 KiB) from bob (BOBBBBB) [Zz_-aaaa]; bob is told, nothing is written.\n");
}

TEST_F(AnswerCommandTest, AnUnknownOfferIsAUsageErrorThatListsThoseThatWait) {
  const auto done = run("Qqqq", false, true);
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, ExitCode::usage);
  EXPECT_NE(done.error().message.find("\n  AbCd1234  from bob (BOBBBBB)  1 file, 2.0 KiB  offered"), std::string::npos)
      << done.error().message;
  EXPECT_TRUE(answers().empty());
}

TEST_F(AnswerCommandTest, AnOfferThatStoppedWaitingMeanwhileFailsClearly) {
  gone_ = {kFirst};
  const auto done = run("AbCd", false, true);
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, ExitCode::failed);
  EXPECT_EQ(done.error().message,
            "the offer AbCd1234 of 1 file (2.0 KiB) from bob (BOBBBBB) no longer waits "
            "(answered elsewhere, expired or cancelled); peerdrop inbox lists those that do");
}

TEST_F(AnswerCommandTest, AcceptAllAcceptsEveryOfferThatWaits) {
  ASSERT_TRUE(run("", true, true));
  EXPECT_EQ(answers(),
            (std::vector<std::string>{"POST /api/offers/" + kFirst + "/accept {\"via\":\"command line\"}",
                                      "POST /api/offers/" + kSecond + "/accept {\"via\":\"command line\"}"}));
  EXPECT_NE(out_.str().find("Accepted 1 file (2.0 KiB) from bob (BOBBBBB) [AbCd1234]"), std::string::npos);
  EXPECT_NE(out_.str().find("Accepted 1 file (2.0 KiB) from bob (BOBBBBB) [Zz_-aaaa]"), std::string::npos);
}

TEST_F(AnswerCommandTest, AcceptAllGoesOnPastAnOfferThatStoppedWaiting) {
  gone_ = {kFirst};
  const auto done = run("", true, true);
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, ExitCode::failed);
  EXPECT_EQ(done.error().message,
            "1 of 2 offers could not be accepted (see above); peerdrop inbox lists those that still wait");
  EXPECT_EQ(answers().size(), 2u);
  EXPECT_NE(err_.str().find("peerdrop: the offer AbCd1234"), std::string::npos) << err_.str();
  EXPECT_NE(out_.str().find("[Zz_-aaaa]"), std::string::npos) << out_.str();
}

TEST_F(AnswerCommandTest, AcceptAllWithNothingWaitingIsFine) {
  waiting_.clear();
  ASSERT_TRUE(run("", true, true));
  EXPECT_EQ(out_.str(), "Nothing waits for an answer.\n");
}

}  // namespace
}  // namespace peerdrop::cli
