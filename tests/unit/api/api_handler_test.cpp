#include "api/api_handler.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "core/base64.hpp"
#include "discovery/announcement_signer.hpp"
#include "support/fake_clock.hpp"
#include "support/fake_peer_directory.hpp"
#include "support/fake_settings.hpp"
#include "support/run_coroutine.hpp"

namespace peerdrop::api {
namespace {

namespace bhttp = boost::beast::http;

class ApiHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    policy_.set_own_addresses({"127.0.0.1", "198.51.100.2"});
    handler_.set_settings(&settings_);
  }

  Response call(bhttp::verb method, const std::string& target, const std::string& client = "127.0.0.1",
                const std::string& body = "", std::vector<std::pair<std::string, std::string>> headers = {}) {
    Request request(method, target, 11);
    request.set(bhttp::field::host, "127.0.0.1:3001");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    request.prepare_payload();
    const ClientInfo info{client};
    return testing::run_coroutine(io_, handler_.handle(request, info));
  }
  static boost::json::value json(const Response& response) { return boost::json::parse(response.body()); }

  boost::asio::io_context io_;
  testing::FakeClock clock_;
  testing::FakePeerDirectory directory_;
  http::LocalRequestPolicy policy_{3001};
  http::RateLimiter limiter_{clock_, {.rate = 1, .burst = 3}};
  http::StaticAssets assets_;
  testing::FakeSettings settings_;
  ApiHandler handler_{directory_, policy_, limiter_, assets_, core::make_logger("test")};
};

TEST_F(ApiHandlerTest, HealthAnswersAnyoneWithTheDocumentedFields) {
  const auto response = call(bhttp::verb::get, "/api/health", "203.0.113.9");
  EXPECT_EQ(response.result(), bhttp::status::ok);
  EXPECT_EQ(response[bhttp::field::content_type], "application/json");
  const auto body = json(response).as_object();
  for (const char* field : {"status", "id", "name", "version", "port", "discoveryPort", "announcement"}) {
    EXPECT_TRUE(body.contains(field)) << field;
  }
  EXPECT_EQ(body.at("status"), "ok");
}

TEST_F(ApiHandlerTest, HealthRecordsAVerifiedHelloAndIgnoresABadOne) {
  const auto prober = identity::Identity::generate();
  discovery::AnnouncementSigner signer(prober, clock_, "prober");
  signer.set_ports(3001, 3001);
  const auto hello = core::base64_encode(signer.make(discovery::AnnouncementKind::probe));
  EXPECT_EQ(call(bhttp::verb::get, "/api/health", "203.0.113.9", "", {{"X-PeerDrop-Hello", hello}}).result(),
            bhttp::status::ok);
  ASSERT_EQ(directory_.hellos.size(), 1u);
  EXPECT_EQ(directory_.hellos[0].second, "203.0.113.9");
  EXPECT_EQ(directory_.hellos[0].first.public_key, prober.public_key());

  auto forged = signer.make(discovery::AnnouncementKind::probe);
  forged.back() ^= 1;
  for (const auto& bad : {core::base64_encode(forged), std::string("garbage!"), std::string(10000, 'A')}) {
    EXPECT_EQ(call(bhttp::verb::get, "/api/health", "127.0.0.1", "", {{"X-PeerDrop-Hello", bad}}).result(),
              bhttp::status::ok);
  }
  EXPECT_EQ(directory_.hellos.size(), 1u);
}

TEST_F(ApiHandlerTest, ListsPeersInTheDocumentedShape) {
  discovery::PeerInfo peer;
  peer.id = "PEER";
  peer.name = "alice";
  peer.addresses = {{"198.51.100.7", 3001}};
  peer.online = true;
  peer.sources = static_cast<unsigned>(discovery::PeerSource::broadcast) |
                 static_cast<unsigned>(discovery::PeerSource::persisted);
  peer.last_seen_ms = 1234;
  directory_.known = {peer};
  const auto response = call(bhttp::verb::get, "/api/peers");
  ASSERT_EQ(response.result(), bhttp::status::ok);
  EXPECT_EQ(json(response), boost::json::parse(R"([{"id":"PEER","name":"alice","addresses":["198.51.100.7:3001"],
      "online":true,"sources":["broadcast","persisted"],"lastSeen":1234,"lastConnected":0}])"));
  directory_.known[0].last_connected_ms = 5678;
  EXPECT_EQ(json(call(bhttp::verb::get, "/api/peers")).at(0).at("lastConnected"), 5678);
}

TEST_F(ApiHandlerTest, ControlEndpointsAnswerOnlyTheLocalUi) {
  EXPECT_EQ(call(bhttp::verb::get, "/api/peers", "198.51.100.3").result(), bhttp::status::forbidden);
  EXPECT_EQ(call(bhttp::verb::post, "/api/scan", "198.51.100.3").result(), bhttp::status::forbidden);
  EXPECT_EQ(call(bhttp::verb::get, "/api/peers", "127.0.0.1", "", {{"Host", "evil.example"}}).result(),
            bhttp::status::forbidden);
  const auto refused = call(bhttp::verb::post, "/api/peers", "127.0.0.1", R"({"address":"198.51.100.7"})",
                            {{"Origin", "http://evil.example"}});
  EXPECT_EQ(refused.result(), bhttp::status::forbidden);
  EXPECT_EQ(json(refused).at("code"), "forbidden");
  EXPECT_TRUE(directory_.added.empty());
  EXPECT_EQ(directory_.scans, 0);
}

TEST_F(ApiHandlerTest, AddsAManualPeerOrSaysWhyNot) {
  const auto created = call(bhttp::verb::post, "/api/peers", "127.0.0.1", R"({"address":"198.51.100.7:3001"})");
  EXPECT_EQ(created.result(), bhttp::status::created);
  EXPECT_EQ(json(created).at("name"), "seven");
  const auto unreachable = call(bhttp::verb::post, "/api/peers", "127.0.0.1", R"({"address":"198.51.100.8"})");
  EXPECT_EQ(unreachable.result(), bhttp::status::bad_gateway);
  EXPECT_EQ(json(unreachable).at("code"), "peer_unreachable");
  for (const char* bad : {"", "{", "[]", R"({"address":5})", R"({"addr":"x"})", "\"198.51.100.7\""}) {
    const auto response = call(bhttp::verb::post, "/api/peers", "127.0.0.1", bad);
    EXPECT_EQ(response.result(), bhttp::status::bad_request) << bad;
    EXPECT_EQ(json(response).at("code"), "bad_request");
  }
}

TEST_F(ApiHandlerTest, ForgetsOnlyKnownWellFormedIds) {
  discovery::PeerInfo peer;
  peer.id = "MZUHVLPYMK6XO3EPYGFY5H4OEAEJOFEFN3RDHM4QFJMR2DK7FESQ";
  directory_.known = {peer};
  EXPECT_EQ(call(bhttp::verb::delete_, "/api/peers/" + peer.id).result(), bhttp::status::no_content);
  EXPECT_EQ(call(bhttp::verb::delete_, "/api/peers/MMG42KLGYQZWNEISKRELXMS3J72BFJE4OMW3FSFLYG4FQG6XCDOQ").result(),
            bhttp::status::not_found);
  EXPECT_EQ(call(bhttp::verb::delete_, "/api/peers/..%2F..%2Fetc").result(), bhttp::status::not_found);
  EXPECT_EQ(directory_.forgotten.size(), 2u);  // the malformed one never reached the directory
}

TEST_F(ApiHandlerTest, StartsAScan) {
  const auto response = call(bhttp::verb::post, "/api/scan");
  EXPECT_EQ(response.result(), bhttp::status::accepted);
  EXPECT_EQ(json(response).at("running"), true);
  EXPECT_EQ(directory_.scans, 1);
}

TEST_F(ApiHandlerTest, NamesWrongMethodsAndUnknownPaths) {
  const auto wrong = call(bhttp::verb::put, "/api/peers");
  EXPECT_EQ(wrong.result(), bhttp::status::method_not_allowed);
  EXPECT_EQ(wrong[bhttp::field::allow], "GET, POST");
  EXPECT_EQ(call(bhttp::verb::post, "/api/health").result(), bhttp::status::method_not_allowed);
  EXPECT_EQ(json(call(bhttp::verb::get, "/api/nothing")).at("code"), "not_found");
  EXPECT_EQ(call(bhttp::verb::get, "/missing.js").result(), bhttp::status::not_found);
  EXPECT_EQ(call(bhttp::verb::post, "/").result(), bhttp::status::method_not_allowed);
}

TEST_F(ApiHandlerTest, ServesTheUiWithASafeContentPolicy) {
  const auto page = call(bhttp::verb::get, "/", "198.51.100.3");
  EXPECT_EQ(page.result(), bhttp::status::ok);
  EXPECT_NE(page.body().find("<title>PeerDrop</title>"), std::string::npos);
  EXPECT_NE(page["Content-Security-Policy"].find("frame-ancestors 'none'"), std::string::npos);
}

TEST_F(ApiHandlerTest, RateLimitsOtherHostsButNotTheLocalUi) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(call(bhttp::verb::get, "/api/health", "203.0.113.9").result(), bhttp::status::ok);
  const auto limited = call(bhttp::verb::get, "/api/health", "203.0.113.9");
  EXPECT_EQ(limited.result(), bhttp::status::too_many_requests);
  EXPECT_EQ(json(limited).at("code"), "rate_limited");
  EXPECT_EQ(limited[bhttp::field::retry_after], "1");
  for (int i = 0; i < 10; ++i) EXPECT_EQ(call(bhttp::verb::get, "/api/health").result(), bhttp::status::ok);
}

TEST_F(ApiHandlerTest, GetsTheSettingsInTheDocumentedShape) {
  settings_.settings.ice_servers = {{.urls = {"turn:198.51.100.9:3478"}, .username = "u", .credential = "c"}};
  const auto response = call(bhttp::verb::get, "/api/settings");
  ASSERT_EQ(response.result(), bhttp::status::ok);
  EXPECT_EQ(response[bhttp::field::cache_control], "no-store");
  EXPECT_EQ(json(response), boost::json::parse(R"({"name":"self","iceServers":[{"urls":["turn:198.51.100.9:3478"],
      "username":"u","credential":"c"}],"connectTimeoutMs":30000})"));
}

TEST_F(ApiHandlerTest, PutChangesOnlyTheGivenFieldsAndAnswersWithAll) {
  const auto response = call(bhttp::verb::put, "/api/settings", "127.0.0.1", R"({"name":"  Alice's laptop "})");
  ASSERT_EQ(response.result(), bhttp::status::ok) << response.body();
  EXPECT_EQ(json(response), boost::json::parse(R"({"name":"Alice's laptop","iceServers":[],"connectTimeoutMs":30000})"));
  ASSERT_EQ(settings_.changes.size(), 1u);
  EXPECT_FALSE(settings_.changes[0].connect_timeout_ms.has_value());
}

TEST_F(ApiHandlerTest, PutRefusesBadSettingsNamingTheField) {
  const auto bad_timeout = call(bhttp::verb::put, "/api/settings", "127.0.0.1", R"({"connectTimeoutMs":10})");
  EXPECT_EQ(bad_timeout.result(), bhttp::status::bad_request);
  const auto body = json(bad_timeout).as_object();
  EXPECT_EQ(body.at("code"), "bad_request");
  EXPECT_EQ(body.at("field"), "connectTimeoutMs");
  EXPECT_FALSE(body.at("error").as_string().empty());
  EXPECT_EQ(json(call(bhttp::verb::put, "/api/settings", "127.0.0.1", R"({"theme":"dark"})")).at("field"), "theme");
  EXPECT_EQ(json(call(bhttp::verb::put, "/api/settings", "127.0.0.1", R"({"iceServers":[{"urls":"http://x"}]})"))
                .at("field"),
            "iceServers");
  // Not an object: no field to name.
  const auto not_json = call(bhttp::verb::put, "/api/settings", "127.0.0.1", "name=Alice");
  EXPECT_EQ(not_json.result(), bhttp::status::bad_request);
  EXPECT_FALSE(json(not_json).as_object().contains("field"));
  EXPECT_TRUE(settings_.changes.empty());
}

TEST_F(ApiHandlerTest, SettingsAnswerOnlyTheLocalUi) {
  EXPECT_EQ(call(bhttp::verb::get, "/api/settings", "198.51.100.3").result(), bhttp::status::forbidden);
  const auto foreign = call(bhttp::verb::put, "/api/settings", "127.0.0.1", R"({"name":"pwned"})",
                            {{"Origin", "http://evil.example"}});
  EXPECT_EQ(foreign.result(), bhttp::status::forbidden);
  EXPECT_EQ(call(bhttp::verb::put, "/api/settings", "127.0.0.1", R"({"name":"pwned"})", {{"Host", "evil.example"}})
                .result(),
            bhttp::status::forbidden);
  EXPECT_TRUE(settings_.changes.empty());
  EXPECT_EQ(call(bhttp::verb::put, "/api/settings", "127.0.0.1", R"({"name":"mine"})",
                 {{"Origin", "http://127.0.0.1:3001"}})
                .result(),
            bhttp::status::ok);
}

TEST_F(ApiHandlerTest, SettingsTakeGetAndPutOnly) {
  const auto wrong = call(bhttp::verb::post, "/api/settings", "127.0.0.1", "{}");
  EXPECT_EQ(wrong.result(), bhttp::status::method_not_allowed);
  EXPECT_EQ(wrong[bhttp::field::allow], "GET, PUT");
}

TEST_F(ApiHandlerTest, SaysSoWhenTheSettingsCannotBeStored) {
  settings_.fail = true;
  const auto response = call(bhttp::verb::put, "/api/settings", "127.0.0.1", R"({"name":"Alice"})");
  EXPECT_EQ(response.result(), bhttp::status::internal_server_error);
  EXPECT_EQ(json(response).at("code"), "internal");
  EXPECT_EQ(settings_.settings.name, "self");
}

}  // namespace
}  // namespace peerdrop::api
