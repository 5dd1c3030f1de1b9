#include "discovery/subnet_scanner.hpp"

#include <gtest/gtest.h>

#include "core/base64.hpp"
#include "http/http_server.hpp"
#include "support/fake_clock.hpp"
#include "support/fake_api_services.hpp"
#include "support/loopback_http_config.hpp"
#include "support/run_coroutine.hpp"

namespace peerdrop::discovery {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

// A real daemon-like health endpoint on 127.0.0.1 that signs its answers.
class SignedDirectory final : public testing::FakePeerDirectory {
 public:
  SignedDirectory(const identity::Identity& key, AnnouncementSigner& signer) : key_(key), signer_(signer) {}
  discovery::HealthInfo health() override {
    auto info = FakePeerDirectory::health();
    info.id = key_.peer_id();
    info.announcement_base64 = core::base64_encode(signer_.make(AnnouncementKind::reply));
    return info;
  }

 private:
  const identity::Identity& key_;
  AnnouncementSigner& signer_;
};

class SubnetScannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    peer_signer_.set_ports(port_, 3001);
    server_.start();
  }
  void TearDown() override { server_.stop(); }

  std::uint16_t closed_port() {
    tcp::acceptor acceptor(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    return acceptor.local_endpoint().port();  // closed again when the acceptor goes
  }

  asio::io_context io_;
  testing::FakeClock clock_;
  identity::Identity peer_key_ = identity::Identity::generate();
  AnnouncementSigner peer_signer_{peer_key_, clock_, "peer"};
  SignedDirectory directory_{peer_key_, peer_signer_};
  testing::FakeApiServices fakes_;
  http::HttpConfig config_ = testing::loopback_http_config();
  tcp::acceptor acceptor_ = http::HttpServer::bind(io_, config_);
  std::uint16_t port_ = acceptor_.local_endpoint().port();
  http::LocalRequestPolicy policy_{port_};
  http::ControlToken token_{std::string(52, 'T')};
  core::RateLimiter limiter_{clock_, {}};
  http::StaticAssets assets_;
  http::ApiHandler handler_{
      http::ApiServices{
          .directory = directory_, .settings = fakes_.settings, .files = fakes_.files, .lane = fakes_.lane,
          .messages = fakes_.messages},
      policy_, token_, limiter_, limiter_, assets_, core::make_logger("test")};
  http::HttpServer server_{io_, config_, std::move(acceptor_), policy_, handler_, nullptr, nullptr, core::make_logger("test")};
  HealthClient client_{io_.get_executor()};
  SubnetScanner scanner_{io_.get_executor(), client_};
};

TEST_F(SubnetScannerTest, FindsTheDaemonAmongClosedPorts) {
  std::vector<tcp::endpoint> targets;
  for (int i = 0; i < 20; ++i) targets.emplace_back(asio::ip::address_v4::loopback(), closed_port());
  targets.emplace_back(asio::ip::address_v4::loopback(), port_);
  std::vector<HealthAnswer> found;
  const auto report = testing::run_coroutine(
      io_, scanner_.scan(targets, {.concurrency = 4, .connect_timeout = 500ms, .total_timeout = 1000ms},
                         [&](const HealthAnswer& answer) { found.push_back(answer); }));
  EXPECT_EQ(report.probed, 21u);
  EXPECT_EQ(report.found, 1u);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].announcement.public_key, peer_key_.public_key());
  EXPECT_EQ(found[0].ip, "127.0.0.1");
}

TEST_F(SubnetScannerTest, FinishesAnEmptyScanAtOnce) {
  const auto report = testing::run_coroutine(io_, scanner_.scan({}, {}, nullptr));
  EXPECT_EQ(report.probed, 0u);
}

}  // namespace
}  // namespace peerdrop::discovery
