#include "http/messages_api.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "core/errc.hpp"
#include "http/api_handler.hpp"
#include "support/fake_api_services.hpp"
#include "support/fake_clock.hpp"
#include "support/run_coroutine.hpp"

namespace peerdrop::http {
namespace {

namespace bhttp = boost::beast::http;

const std::string kPeer(52, 'A');

// Through ApiHandler, as the daemon serves them: the checks every control endpoint has come first.
class MessagesApiTest : public ::testing::Test {
 protected:
  void SetUp() override { policy_.set_own_addresses({"127.0.0.1"}); }

  Response call(bhttp::verb method, const std::string& target, const std::string& body = "",
                bool with_token = true) {
    Request request(method, target, 11);
    request.set(bhttp::field::host, "127.0.0.1:3001");
    if (with_token) request.set(bhttp::field::authorization, "Bearer " + token_.value());
    request.body() = body;
    request.prepare_payload();
    const ClientInfo info{"127.0.0.1"};
    return testing::run_coroutine(io_, handler_.handle(request, info)).response;
  }
  static boost::json::value json(const Response& response) { return boost::json::parse(response.body()); }
  static std::string code(const Response& response) {
    return std::string(json(response).as_object().at("code").as_string());
  }
  messages::Message incoming(const std::string& id, bool read = false) {
    return messages::Message{.seq = static_cast<std::int64_t>(messages_.list.size() + 1), .id = id, .peer = kPeer,
                             .direction = messages::Message::Direction::in, .text = "hi", .sent_at = 1,
                             .done_at = 2, .state = messages::Message::State::received, .read = read};
  }

  boost::asio::io_context io_;
  testing::FakeClock clock_;
  testing::FakeApiServices fakes_;
  testing::FakeMessageAccess& messages_ = fakes_.messages;
  LocalRequestPolicy policy_{3001};
  ControlToken token_{std::string(52, 'T')};
  core::RateLimiter limiter_{clock_, {.rate = 1, .burst = 3}};
  StaticAssets assets_;
  ApiHandler handler_{fakes_.services(), policy_, token_, limiter_, limiter_, assets_, core::make_logger("test")};
};

TEST_F(MessagesApiTest, SendsAMessage) {
  const auto response = call(bhttp::verb::post, "/api/messages", R"({"to":")" + kPeer + R"(","text":"Hello"})");
  ASSERT_EQ(response.result(), bhttp::status::created) << response.body();
  const auto body = json(response).as_object();
  EXPECT_EQ(body.at("state"), "queued");
  EXPECT_EQ(body.at("direction"), "out");
  EXPECT_EQ(body.at("text"), "Hello");
  EXPECT_EQ(body.at("peer").as_string(), kPeer);
  EXPECT_TRUE(body.contains("id") && body.contains("seq") && body.contains("sentAt") && body.contains("expiresAt"));
  ASSERT_EQ(messages_.list.size(), 1u);
}

TEST_F(MessagesApiTest, NeedsTheControlToken) {
  EXPECT_EQ(call(bhttp::verb::get, "/api/messages?unread=1", "", false).result(), bhttp::status::unauthorized);
  EXPECT_EQ(call(bhttp::verb::post, "/api/messages", R"({"to":")" + kPeer + R"(","text":"x"})", false).result(),
            bhttp::status::unauthorized);
  EXPECT_TRUE(messages_.list.empty());
}

TEST_F(MessagesApiTest, RefusesHostileSendBodies) {
  const std::vector<std::string> bad{
      "",
      "not json",
      "[]",
      R"({"to":")" + kPeer + R"("})",
      R"({"text":"x"})",
      R"({"to":")" + kPeer + R"(","text":5})",
      R"({"to":")" + kPeer + R"(","text":"x","extra":1})",
      R"({"to":[],"text":"x"})",
      R"({"to":")" + kPeer + R"(","text":""})",
      R"({"to":")" + kPeer + R"(","text":"\u0007"})",
      R"({"to":")" + kPeer + R"(","text":"\ud800"})",
      std::string(200, '[') + std::string(200, ']'),
  };
  for (const auto& body : bad) {
    const auto response = call(bhttp::verb::post, "/api/messages", body);
    EXPECT_EQ(response.result(), bhttp::status::bad_request) << body;
    EXPECT_EQ(code(response), "bad_request") << body;
  }
  EXPECT_EQ(call(bhttp::verb::post, "/api/messages", R"({"to":"../etc","text":"x"})").result(),
            bhttp::status::not_found);
  const auto big = call(bhttp::verb::post, "/api/messages",
                        R"({"to":")" + kPeer + R"(","text":")" + std::string(16 * 1024 + 1, 'x') + R"("})");
  EXPECT_EQ(big.result(), bhttp::status::payload_too_large);
  EXPECT_TRUE(messages_.list.empty());
}

TEST_F(MessagesApiTest, SaysWhyItCouldNotQueue) {
  messages_.send_error = core::make_error_code(core::Errc::unknown_peer);
  auto response = call(bhttp::verb::post, "/api/messages", R"({"to":")" + kPeer + R"(","text":"x"})");
  EXPECT_EQ(response.result(), bhttp::status::not_found);
  EXPECT_EQ(code(response), "unknown_peer");
  messages_.send_error = core::make_error_code(core::Errc::queue_full);
  response = call(bhttp::verb::post, "/api/messages", R"({"to":")" + kPeer + R"(","text":"x"})");
  EXPECT_EQ(response.result(), bhttp::status::service_unavailable);
  EXPECT_EQ(code(response), "queue_full");
  messages_.send_error = core::make_error_code(core::Errc::storage_failed);
  response = call(bhttp::verb::post, "/api/messages", R"({"to":")" + kPeer + R"(","text":"x"})");
  EXPECT_EQ(response.result(), bhttp::status::internal_server_error);
}

TEST_F(MessagesApiTest, ListsAConversation) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(call(bhttp::verb::post, "/api/messages", R"({"to":")" + kPeer + R"(","text":"m)" + std::to_string(i) + "\"}")
                  .result(),
              bhttp::status::created);
  }
  auto response = call(bhttp::verb::get, "/api/messages?peer=" + kPeer);
  ASSERT_EQ(response.result(), bhttp::status::ok);
  auto list = json(response).as_object().at("messages").as_array();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].as_object().at("text"), "m0");
  EXPECT_EQ(messages_.last_limit, MessagesApi::kDefaultLimit);
  response = call(bhttp::verb::get, "/api/messages?peer=" + kPeer + "&before=3&limit=1");
  list = json(response).as_object().at("messages").as_array();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].as_object().at("text"), "m1");
}

TEST_F(MessagesApiTest, RefusesHostileQueries) {
  for (const std::string& target : std::vector<std::string>{
           "/api/messages", "/api/messages?peer=short", "/api/messages?peer=" + kPeer + "&limit=0",
        "/api/messages?peer=" + kPeer + "&limit=1001", "/api/messages?peer=" + kPeer + "&limit=-1",
        "/api/messages?peer=" + kPeer + "&limit=1x", "/api/messages?peer=" + kPeer + "&before=-5",
        "/api/messages?peer=" + kPeer + "&before=99999999999999999999", "/api/messages?unread=yes",
        "/api/messages?unread=1&peer=" + kPeer, "/api/messages?peer"}) {
    EXPECT_EQ(call(bhttp::verb::get, target).result(), bhttp::status::bad_request) << target;
  }
  EXPECT_EQ(call(bhttp::verb::delete_, "/api/messages").result(), bhttp::status::method_not_allowed);
  EXPECT_EQ(call(bhttp::verb::get, "/api/messages/read").result(), bhttp::status::method_not_allowed);
  EXPECT_EQ(call(bhttp::verb::put, "/api/messages/0123456789abcdef").result(), bhttp::status::method_not_allowed);
}

TEST_F(MessagesApiTest, ListsUnreadAndMarksThemRead) {
  messages_.list.push_back(incoming("0123456789abcdef0001"));
  messages_.list.push_back(incoming("0123456789abcdef0002"));
  messages_.list.push_back(incoming("0123456789abcdef0003", true));
  auto response = call(bhttp::verb::get, "/api/messages?unread=1");
  ASSERT_EQ(response.result(), bhttp::status::ok);
  auto body = json(response).as_object();
  EXPECT_EQ(body.at("messages").as_array().size(), 2u);
  EXPECT_EQ(body.at("unread").as_object().at(kPeer), 2);
  EXPECT_EQ(body.at("messages").as_array()[0].as_object().at("receivedAt"), 2);

  for (const std::string& bad : std::vector<std::string>{"", "{}", R"({"peer":5})", R"({"peer":"short"})", R"({"peer":")" + kPeer + R"(","x":1})"}) {
    EXPECT_EQ(call(bhttp::verb::post, "/api/messages/read", bad).result(), bhttp::status::bad_request) << bad;
  }
  response = call(bhttp::verb::post, "/api/messages/read", R"({"peer":")" + kPeer + R"("})");
  ASSERT_EQ(response.result(), bhttp::status::ok);
  EXPECT_EQ(json(response).as_object().at("read"), 2);
  body = json(call(bhttp::verb::get, "/api/messages?unread=1")).as_object();
  EXPECT_TRUE(body.at("messages").as_array().empty());
  EXPECT_TRUE(body.at("unread").as_object().empty());
}

TEST_F(MessagesApiTest, AnswersOneMessageById) {
  const auto sent = json(call(bhttp::verb::post, "/api/messages", R"({"to":")" + kPeer + R"(","text":"x"})"));
  const std::string id(sent.as_object().at("id").as_string());
  auto response = call(bhttp::verb::get, "/api/messages/" + id);
  ASSERT_EQ(response.result(), bhttp::status::ok);
  EXPECT_EQ(json(response).as_object().at("id").as_string(), id);
  for (const std::string& missing : std::vector<std::string>{"0123456789abcdefffff", "..", "%2e%2e", "short", std::string(65, 'a'), ""}) {
    EXPECT_EQ(call(bhttp::verb::get, "/api/messages/" + missing).result(), bhttp::status::not_found) << missing;
  }
}

}  // namespace
}  // namespace peerdrop::http
