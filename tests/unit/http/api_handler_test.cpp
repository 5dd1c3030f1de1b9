#include "http/api_handler.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/parse.hpp>

#include "core/base64.hpp"
#include "discovery/announcement_signer.hpp"
#include "support/fake_api_services.hpp"
#include "support/fake_clock.hpp"
#include "support/run_coroutine.hpp"

namespace peerdrop::http {
namespace {

namespace bhttp = boost::beast::http;

class ApiHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    policy_.set_own_addresses({"127.0.0.1", "198.51.100.2"});
  }

  Reply call_for_reply(bhttp::verb method, const std::string& target, const std::string& client = "127.0.0.1",
                       const std::string& body = "", std::vector<std::pair<std::string, std::string>> headers = {}) {
    Request request(method, target, 11);
    request.set(bhttp::field::host, "127.0.0.1:3001");
    request.set(bhttp::field::authorization, "Bearer " + token_.value());  // a test may replace it
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    request.prepare_payload();
    const ClientInfo info{client};
    return testing::run_coroutine(io_, handler_.handle(request, info));
  }
  Response call(bhttp::verb method, const std::string& target, const std::string& client = "127.0.0.1",
                const std::string& body = "", std::vector<std::pair<std::string, std::string>> headers = {}) {
    auto reply = call_for_reply(method, target, client, body, std::move(headers));
    EXPECT_FALSE(reply.file) << "a file where a JSON answer was expected";
    return std::move(reply.response);
  }
  // The bytes of a download's file.
  static std::string file_bytes(const Reply& reply) {
    std::string bytes(reply.file_size, '\0');
    EXPECT_EQ(::pread(reply.file.get(), bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
    return bytes;
  }
  static boost::json::value json(const Response& response) { return boost::json::parse(response.body()); }

  boost::asio::io_context io_;
  testing::FakeClock clock_;
  testing::FakeApiServices fakes_;
  testing::FakePeerDirectory& directory_ = fakes_.directory;
  http::LocalRequestPolicy policy_{3001};
  http::ControlToken token_{std::string(52, 'T')};
  core::RateLimiter limiter_{clock_, {.rate = 1, .burst = 3}};
  http::StaticAssets assets_;
  testing::FakeSettings& settings_ = fakes_.settings;
  testing::FakeFileLibrary& files_ = fakes_.files;
  ApiHandler handler_{fakes_.services(), policy_, token_, limiter_, limiter_, assets_, core::make_logger("test")};
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

// Other daemons learn who we are from it; it adds nobody to our table (an
// old X-PeerDrop-Hello header is ignored), so a stranger changes nothing by asking.
TEST_F(ApiHandlerTest, HealthChangesNothingWhoeverAsks) {
  const auto prober = identity::Identity::generate();
  discovery::AnnouncementSigner signer(prober, clock_, "prober");
  signer.set_ports(3001, 3001);
  const auto hello = core::base64_encode(signer.make(discovery::AnnouncementKind::probe));
  EXPECT_EQ(call(bhttp::verb::get, "/api/health", "203.0.113.9", "", {{"X-PeerDrop-Hello", hello}}).result(),
            bhttp::status::ok);
  EXPECT_TRUE(directory_.known.empty());
  EXPECT_TRUE(directory_.added.empty());
  EXPECT_EQ(call(bhttp::verb::post, "/api/signal").result(), bhttp::status::not_found);  // daemons talk over their channel
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
      "candidates":[],"verified":false,"channel":false,
      "online":true,"sources":["broadcast","persisted"],"lastSeen":1234,"lastConnected":0,
      "firstSeen":0,"confirmed":false}])"));
  directory_.known[0].last_connected_ms = 5678;
  EXPECT_EQ(json(call(bhttp::verb::get, "/api/peers")).at(0).at("lastConnected"), 5678);
  directory_.known[0].first_seen_ms = 1000;
  EXPECT_EQ(json(call(bhttp::verb::get, "/api/peers")).at(0).at("firstSeen"), 1000);
}

// The code compares keys: only a key a handshake proved has one worth comparing.
TEST_F(ApiHandlerTest, AnswersTheVerificationCodeOfVerifiedPeersOnly) {
  discovery::PeerInfo peer;
  peer.id = std::string(52, 'B');
  peer.name = "bob";
  peer.verification_code = "054631";
  directory_.known = {peer};
  EXPECT_FALSE(json(call(bhttp::verb::get, "/api/peers")).at(0).as_object().contains("verificationCode"));
  directory_.known[0].verified = true;
  directory_.known[0].confirmed = true;
  const auto listed = json(call(bhttp::verb::get, "/api/peers")).at(0);
  EXPECT_EQ(listed.at("verificationCode"), "054631");  // a string: the leading zero is kept
  EXPECT_EQ(listed.at("verified"), true);
  EXPECT_EQ(listed.at("confirmed"), true);
}

TEST_F(ApiHandlerTest, MarksAPeerVerifiedAndTakesItBack) {
  discovery::PeerInfo peer;
  peer.id = std::string(52, 'B');
  peer.name = "bob";
  peer.verified = true;
  peer.verification_code = "123456";
  directory_.known = {peer};
  const auto marked = call(bhttp::verb::put, "/api/peers/" + peer.id, "127.0.0.1", R"({"confirmed":true})");
  ASSERT_EQ(marked.result(), bhttp::status::ok);
  EXPECT_EQ(json(marked).at("confirmed"), true);
  EXPECT_EQ(json(marked).at("verificationCode"), "123456");
  EXPECT_EQ(json(call(bhttp::verb::get, "/api/peers")).at(0).at("confirmed"), true);
  const auto cleared = call(bhttp::verb::put, "/api/peers/" + peer.id, "127.0.0.1", R"({"confirmed":false})");
  ASSERT_EQ(cleared.result(), bhttp::status::ok);
  EXPECT_EQ(json(cleared).at("confirmed"), false);
  EXPECT_EQ(directory_.confirmations,
            (std::vector<std::pair<std::string, bool>>{{peer.id, true}, {peer.id, false}}));
}

TEST_F(ApiHandlerTest, RefusesToMarkAPeerWhoseKeyIsNotProvenOrUnknown) {
  discovery::PeerInfo peer;
  peer.id = std::string(52, 'B');
  peer.name = "bob";
  directory_.known = {peer};
  const auto unproven = call(bhttp::verb::put, "/api/peers/" + peer.id, "127.0.0.1", R"({"confirmed":true})");
  EXPECT_EQ(unproven.result(), bhttp::status::conflict);
  EXPECT_EQ(json(unproven).at("code"), "not_verified");
  const auto unknown = call(bhttp::verb::put, "/api/peers/" + std::string(52, 'C'), "127.0.0.1", R"({"confirmed":true})");
  EXPECT_EQ(unknown.result(), bhttp::status::not_found);
  EXPECT_EQ(json(unknown).at("code"), "not_found");
  EXPECT_FALSE(directory_.known[0].confirmed);
}

TEST_F(ApiHandlerTest, MarkingAPeerTakesExactlyOneBooleanAndAPeerId) {
  discovery::PeerInfo peer;
  peer.id = std::string(52, 'B');
  peer.verified = true;
  directory_.known = {peer};
  for (const char* bad : {"", "{", "[]", "true", "null", R"({"confirmed":"true"})", R"({"confirmed":1})",
                          R"({"confirmed":null})", R"({"confirmed":[true]})", R"({})", R"({"verified":true})",
                          R"({"confirmed":true,"name":"mallory"})", R"({"confirmed":[[[[[[[[[[true]]]]]]]]]]})",
                          R"({"confirmed":true} {})", R"({"confirmed":true)"}) {
    const auto response = call(bhttp::verb::put, "/api/peers/" + peer.id, "127.0.0.1", bad);
    EXPECT_EQ(response.result(), bhttp::status::bad_request) << bad;
    EXPECT_EQ(json(response).at("code"), "bad_request") << bad;
  }
  for (const auto& target : std::vector<std::string>{"/api/peers/..%2F..%2Fetc", "/api/peers/" + std::string(52, 'b'),
                                                     "/api/peers/" + peer.id + "/", "/api/peers/" + peer.id + "A",
                                                     "/api/peers/"}) {
    const auto response = call(bhttp::verb::put, target, "127.0.0.1", R"({"confirmed":true})");
    EXPECT_EQ(response.result(), bhttp::status::not_found) << target;
  }
  EXPECT_TRUE(directory_.confirmations.empty());  // nothing malformed reached the directory
  EXPECT_FALSE(directory_.known[0].confirmed);
  const auto wrong = call(bhttp::verb::post, "/api/peers/" + peer.id, "127.0.0.1", R"({"confirmed":true})");
  EXPECT_EQ(wrong.result(), bhttp::status::method_not_allowed);
  EXPECT_EQ(wrong[bhttp::field::allow], "DELETE, PUT");
}

TEST_F(ApiHandlerTest, ShowsWhetherAPeersRelayIsOfferedOrReady) {
  discovery::PeerInfo peer;
  peer.id = "PEER";
  peer.name = "alice";
  peer.online = true;
  directory_.known = {peer};
  EXPECT_FALSE(json(call(bhttp::verb::get, "/api/peers")).at(0).as_object().contains("relay"));
  directory_.known[0].relay = true;
  EXPECT_EQ(json(call(bhttp::verb::get, "/api/peers")).at(0).at("relay"), "offered");
  std::string asked;
  fakes_.relay_ready = [&](const std::string& id) {
    asked = id;
    return true;
  };
  EXPECT_EQ(json(call(bhttp::verb::get, "/api/peers")).at(0).at("relay"), "ready");
  EXPECT_EQ(asked, "PEER");
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
  const auto mark = "/api/peers/" + std::string(52, 'B');
  EXPECT_EQ(call(bhttp::verb::put, mark, "198.51.100.3", R"({"confirmed":true})").result(), bhttp::status::forbidden);
  EXPECT_EQ(call(bhttp::verb::put, mark, "127.0.0.1", R"({"confirmed":true})", {{"Origin", "http://evil.example"}})
                .result(),
            bhttp::status::forbidden);
  EXPECT_TRUE(directory_.added.empty());
  EXPECT_TRUE(directory_.confirmations.empty());
  EXPECT_EQ(directory_.scans, 0);
}

// Another Unix user of this machine is a local client with our Host and no
// Origin, as the UI's own requests are: only the token tells them apart.
TEST_F(ApiHandlerTest, ControlEndpointsNeedTheControlToken) {
  files_.contents["a.txt"] = "secret";
  directory_.known.push_back(discovery::PeerInfo{.id = std::string(52, 'B'), .name = "bob"});
  for (const auto& authorization :
       {std::string(), "Bearer " + std::string(52, 'U'), "Bearer " + token_.value().substr(1), token_.value(),
        "Basic " + token_.value()}) {
    const std::vector<std::pair<std::string, std::string>> headers{{"Authorization", authorization}};
    for (const auto& [method, target, body] : std::initializer_list<std::tuple<bhttp::verb, std::string, std::string>>{
             {bhttp::verb::get, "/api/peers", ""},
             {bhttp::verb::post, "/api/peers", R"({"address":"198.51.100.7"})"},
             {bhttp::verb::delete_, "/api/peers/" + std::string(52, 'B'), ""},
             {bhttp::verb::put, "/api/peers/" + std::string(52, 'B'), R"({"confirmed":true})"},
             {bhttp::verb::post, "/api/scan", ""},
             {bhttp::verb::get, "/api/settings", ""},
             {bhttp::verb::put, "/api/settings", R"({"name":"mallory"})"},
             {bhttp::verb::get, "/api/files", ""},
             {bhttp::verb::get, "/api/files/download?name=a.txt", ""}}) {
      const auto reply = call_for_reply(method, target, "127.0.0.1", body, headers);
      EXPECT_EQ(reply.response.result(), bhttp::status::unauthorized) << target << " with '" << authorization << "'";
      EXPECT_EQ(json(reply.response).at("code"), "unauthorized");
      EXPECT_FALSE(reply.file);
      EXPECT_EQ(reply.response.body().find("bob"), std::string::npos);
    }
  }
  EXPECT_TRUE(directory_.added.empty());
  EXPECT_TRUE(directory_.forgotten.empty());
  EXPECT_TRUE(directory_.confirmations.empty());
  EXPECT_EQ(directory_.scans, 0);
  EXPECT_TRUE(settings_.changes.empty());
  EXPECT_TRUE(files_.opened.empty());
  // The page's own ways: the header (any case of the scheme), or the query for links and the WebSocket.
  EXPECT_EQ(call(bhttp::verb::get, "/api/peers", "127.0.0.1", "", {{"Authorization", "bearer " + token_.value()}}).result(),
            bhttp::status::ok);
  const auto link = call_for_reply(bhttp::verb::get, "/api/files/download?name=a.txt&token=" + token_.value(),
                                   "127.0.0.1", "", {{"Authorization", ""}});
  EXPECT_TRUE(link.file);
  // What any page or peer may have needs no token.
  for (const auto* target : {"/", "/api/health"}) {
    EXPECT_EQ(call(bhttp::verb::get, target, "127.0.0.1", "", {{"Authorization", ""}}).result(), bhttp::status::ok)
        << target;
  }
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
  // WebAssembly may be compiled (the sender's SHA-256), scripts only come from the daemon.
  EXPECT_NE(page["Content-Security-Policy"].find("script-src 'self' 'wasm-unsafe-eval';"), std::string::npos);
  EXPECT_EQ(page["Content-Security-Policy"].find("'unsafe-eval'"), std::string::npos);
  // A download link carries the control token: no page of ours names itself to another site.
  EXPECT_EQ(page["Referrer-Policy"], "no-referrer");
  EXPECT_EQ(call(bhttp::verb::get, "/api/peers")["Referrer-Policy"], "no-referrer");
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
  settings_.settings.auto_accept = {std::string(52, 'A')};
  settings_.settings.download_dir = "/home/alice/Downloads/PeerDrop";
  const auto response = call(bhttp::verb::get, "/api/settings");
  ASSERT_EQ(response.result(), bhttp::status::ok);
  EXPECT_EQ(response[bhttp::field::cache_control], "no-store");
  EXPECT_EQ(json(response), boost::json::parse(R"({"name":"self","iceServers":[{"urls":["turn:198.51.100.9:3478"],
      "username":"u","credential":"c"}],"connectTimeoutMs":30000,
      "autoAccept":["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],"relay":false,
      "downloadDir":"/home/alice/Downloads/PeerDrop"})"));
}

TEST_F(ApiHandlerTest, PutTakesAutoAcceptButNotTheDownloadFolder) {
  const std::string peer(52, 'B');
  const auto accepted = call(bhttp::verb::put, "/api/settings", "127.0.0.1", R"({"autoAccept":[")" + peer + R"("]})");
  ASSERT_EQ(accepted.result(), bhttp::status::ok) << accepted.body();
  EXPECT_EQ(json(accepted).at("autoAccept"), boost::json::array{boost::json::string(peer)});
  const auto refused = call(bhttp::verb::put, "/api/settings", "127.0.0.1", R"({"downloadDir":"/tmp"})");
  EXPECT_EQ(refused.result(), bhttp::status::bad_request);
  EXPECT_EQ(json(refused).at("field"), "downloadDir");
  EXPECT_NE(json(refused).at("error").as_string().find("--download-dir"), boost::json::string::npos);
  EXPECT_EQ(call(bhttp::verb::put, "/api/settings", "127.0.0.1", R"({"autoAccept":["me"]})").result(),
            bhttp::status::bad_request);
  EXPECT_EQ(settings_.changes.size(), 1u);
}

TEST_F(ApiHandlerTest, ListsTheReceivedFiles) {
  files_.files = {{.name = "photos/b.jpg", .size = 7, .sha256 = std::string(64, 'b'), .from = std::string(52, 'B'),
                   .received_at = 1'764'000'000'001},
                  {.name = "a.txt", .size = 3, .sha256 = std::string(64, 'a'), .from = std::string(52, 'A'),
                   .received_at = 1'764'000'000'000}};
  const auto response = call(bhttp::verb::get, "/api/files");
  ASSERT_EQ(response.result(), bhttp::status::ok);
  EXPECT_EQ(json(response), boost::json::parse(R"([
      {"name":"photos/b.jpg","size":7,"sha256":")" + std::string(64, 'b') + R"(","from":")" + std::string(52, 'B') +
                                               R"(","receivedAt":1764000000001},
      {"name":"a.txt","size":3,"sha256":")" + std::string(64, 'a') + R"(","from":")" + std::string(52, 'A') +
                                               R"(","receivedAt":1764000000000}])"));
  EXPECT_EQ(call(bhttp::verb::get, "/api/files", "198.51.100.3").result(), bhttp::status::forbidden);
  EXPECT_EQ(call(bhttp::verb::delete_, "/api/files").result(), bhttp::status::method_not_allowed);
}

TEST_F(ApiHandlerTest, ServesAReceivedFileAsAnAttachment) {
  files_.contents["photos/caf\xc3\xa9 1+2.jpg"] = "jpeg bytes";
  const auto reply = call_for_reply(bhttp::verb::get, "/api/files/download?name=photos%2Fcaf%C3%A9%201%2B2.jpg");
  ASSERT_EQ(reply.response.result(), bhttp::status::ok) << reply.response.body();
  ASSERT_TRUE(reply.file);
  EXPECT_EQ(reply.file_size, 10u);
  EXPECT_EQ(file_bytes(reply), "jpeg bytes");
  EXPECT_EQ(reply.response[bhttp::field::content_length], "10");
  EXPECT_TRUE(reply.response.body().empty());
  EXPECT_EQ(reply.response[bhttp::field::content_type], "application/octet-stream");
  EXPECT_EQ(reply.response[bhttp::field::content_disposition],
            "attachment; filename=\"caf__ 1+2.jpg\"; filename*=UTF-8''caf%C3%A9%201+2.jpg");
  EXPECT_EQ(reply.response["X-Content-Type-Options"], "nosniff");
  // The same path unencoded (a browser leaves '/' alone in a query).
  EXPECT_TRUE(call_for_reply(bhttp::verb::get, "/api/files/download?name=photos/caf%C3%A9%201%2B2.jpg").file);
  const auto head = call_for_reply(bhttp::verb::head, "/api/files/download?name=photos/caf%C3%A9%201%2B2.jpg");
  EXPECT_TRUE(head.file);
}

// Another site's page in the user's browser cannot probe or embed what control
// endpoints answer: a cross-site <img> of a download carries no Origin, but
// Sec-Fetch-Site says where it came from; and every answer forbids embedding elsewhere.
TEST_F(ApiHandlerTest, RefusesAnotherSitesPageAndForbidsEmbeddingElsewhere) {
  files_.contents["a.txt"] = "a";
  const auto cross = call_for_reply(bhttp::verb::get, "/api/files/download?name=a.txt", "127.0.0.1", "",
                                    {{"Sec-Fetch-Site", "cross-site"}});
  EXPECT_EQ(cross.response.result(), bhttp::status::forbidden);
  EXPECT_FALSE(cross.file);
  EXPECT_TRUE(files_.opened.empty());  // not even looked up
  EXPECT_EQ(call(bhttp::verb::get, "/api/peers", "127.0.0.1", "", {{"Sec-Fetch-Site", "cross-site"}}).result(),
            bhttp::status::forbidden);
  for (const char* site : {"same-origin", "none"}) {
    const auto own = call_for_reply(bhttp::verb::get, "/api/files/download?name=a.txt", "127.0.0.1", "",
                                    {{"Sec-Fetch-Site", site}});
    EXPECT_TRUE(own.file) << site;
    EXPECT_EQ(own.response["Cross-Origin-Resource-Policy"], "same-origin") << site;
  }
  EXPECT_EQ(call(bhttp::verb::get, "/api/settings")["Cross-Origin-Resource-Policy"], "same-origin");
  EXPECT_EQ(call(bhttp::verb::get, "/api/peers")["Cross-Origin-Resource-Policy"], "same-origin");
}

TEST_F(ApiHandlerTest, ServesOnlySanitizedNamesToTheLocalUi) {
  files_.contents["a.txt"] = "a";
  EXPECT_EQ(call(bhttp::verb::get, "/api/files/download?name=b.txt").result(), bhttp::status::not_found);
  EXPECT_EQ(call(bhttp::verb::get, "/api/files/download").result(), bhttp::status::bad_request);
  EXPECT_EQ(call(bhttp::verb::get, "/api/files/download?name").result(), bhttp::status::bad_request);
  files_.opened.clear();
  // Never asked for: names the sanitizer refuses or would change cannot be files it wrote.
  for (const char* name : {"../a.txt", "..%2Fa.txt", "%2Fetc%2Fpasswd", "/etc/passwd", "x/../a.txt", "./a.txt",
                           ".peerdrop-partial/x-0.part", "a.txt%00", "%2E%2E/a.txt", "C:a.txt", "a%5C..%5Ca.txt",
                           "", "a//a.txt"}) {
    const auto response = call(bhttp::verb::get, std::string("/api/files/download?name=") + name);
    EXPECT_EQ(response.result(), bhttp::status::not_found) << name;
    EXPECT_EQ(json(response).at("code"), "not_found");
  }
  EXPECT_TRUE(files_.opened.empty());
  EXPECT_EQ(call(bhttp::verb::get, "/api/files/download?name=a.txt", "198.51.100.3").result(),
            bhttp::status::forbidden);
  EXPECT_EQ(call(bhttp::verb::get, "/api/files/download?name=a.txt", "127.0.0.1", "",
                 {{"Origin", "http://evil.example"}})
                .result(),
            bhttp::status::forbidden);
  EXPECT_TRUE(files_.opened.empty());
  EXPECT_EQ(call(bhttp::verb::post, "/api/files/download?name=a.txt").result(), bhttp::status::method_not_allowed);
}

TEST_F(ApiHandlerTest, PutChangesOnlyTheGivenFieldsAndAnswersWithAll) {
  const auto response = call(bhttp::verb::put, "/api/settings", "127.0.0.1", R"({"name":"  Alice's laptop "})");
  ASSERT_EQ(response.result(), bhttp::status::ok) << response.body();
  EXPECT_EQ(json(response), boost::json::parse(R"({"name":"Alice's laptop","iceServers":[],"connectTimeoutMs":30000,
                                                   "autoAccept":[],"relay":false,"downloadDir":""})"));
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

namespace peerdrop::http {
namespace {

TEST_F(ApiHandlerTest, NeverAnswersATurnSharedSecret) {
  settings_.settings.ice_servers = {{.urls = {"turn:198.51.100.9:3478"}, .secret = "NORTH-SHARED-SECRET"}};
  const auto got = call(bhttp::verb::get, "/api/settings");
  ASSERT_EQ(got.result(), bhttp::status::ok);
  EXPECT_EQ(got.body().find("NORTH-SHARED-SECRET"), std::string::npos) << got.body();
  EXPECT_EQ(json(got).at("iceServers"), boost::json::parse(R"([{"urls":["turn:198.51.100.9:3478"],"secretSet":true}])"));
  // The page sends back what it got (and a new name): the secret stays.
  const auto put = call(bhttp::verb::put, "/api/settings", "127.0.0.1",
                        R"({"name":"Alice","iceServers":[{"urls":["turn:198.51.100.9:3478"],"secretSet":true}]})");
  ASSERT_EQ(put.result(), bhttp::status::ok) << put.body();
  EXPECT_EQ(put.body().find("NORTH-SHARED-SECRET"), std::string::npos);
  EXPECT_EQ(settings_.settings.ice_servers.at(0).secret, "NORTH-SHARED-SECRET");
  EXPECT_EQ(settings_.settings.name, "Alice");
  // secretSet for URLs that have no stored secret: refused, nothing changed.
  const auto refused = call(bhttp::verb::put, "/api/settings", "127.0.0.1",
                            R"({"iceServers":[{"urls":["turn:203.0.113.9"],"secretSet":true}]})");
  EXPECT_EQ(refused.result(), bhttp::status::bad_request);
  EXPECT_EQ(json(refused).at("field"), "iceServers");
  EXPECT_EQ(settings_.changes.size(), 1u);
}

TEST_F(ApiHandlerTest, HealthShowsTheRelayWhenThereIsOne) {
  EXPECT_FALSE(json(call(bhttp::verb::get, "/api/health", "198.51.100.3")).as_object().contains("relay"));
  fakes_.relay_status = [] { return boost::json::object{{"state", "running"}, {"port", 3478}}; };
  const auto body = json(call(bhttp::verb::get, "/api/health", "198.51.100.3"));
  EXPECT_EQ(body.at("relay"), boost::json::parse(R"({"state":"running","port":3478})"));
}

}  // namespace
}  // namespace peerdrop::api
