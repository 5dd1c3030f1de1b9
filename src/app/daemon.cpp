#include "app/daemon.hpp"

#include <set>

namespace peerdrop::app {

namespace asio = boost::asio;

namespace {

std::set<std::string> own_addresses(const std::vector<net::InterfaceAddress>& interfaces) {
  std::set<std::string> out;
  for (const auto& iface : interfaces) out.insert(net::Ipv4Subnet::format_address(iface.address));
  return out;
}

}  // namespace

Daemon::Daemon(Config config)
    : config_(std::move(config)),
      logger_(core::make_logger("daemon")),
      io_(1),
      identity_(identity::Identity::load_or_create(config_.data_dir)),
      lock_(config_.data_dir),
      database_(config_.data_dir / "peerdrop.db"),
      peer_store_(database_),
      signer_(identity_, clock_, config_.name),
      interfaces_(io_.get_executor(), config_.discovery.interface_poll_interval, core::make_logger("network")),
      discovery_(io_.get_executor(), config_.discovery, config_.http.port == 0 ? 3001 : config_.http.port, clock_,
                 signer_, peer_store_, core::make_logger("discovery")),
      policy_(config_.http.port),
      rate_limiter_(clock_, http::RateLimiter::Limits{.rate = config_.http.rate_per_second,
                                                      .burst = config_.http.rate_burst}),
      api_(discovery_, policy_, rate_limiter_, assets_, core::make_logger("http")),
      http_server_(io_, config_.http, api_, core::make_logger("http")),
      signals_(io_, SIGINT, SIGTERM),
      shutdown_deadline_(io_) {
  const auto http_port = http_server_.listen();
  policy_.set_port(http_port);
  signer_.set_ports(http_port, 0);
  const auto discovery_port = discovery_.open();
  policy_.set_own_addresses(own_addresses(interfaces_.current()));
  logger_.get()->info("peerdropd {} \"{}\" id {}", PEERDROP_VERSION, signer_.name(), identity_.peer_id());
  logger_->info("data dir {}", config_.data_dir.string());
  logger_->info("listening on http://{}:{} (discovery on UDP {}{})", config_.http.bind, http_port, discovery_port,
                config_.discovery.loopback ? ", loopback only" : "");
  const auto ui_host = config_.http.bind == "0.0.0.0" ? std::string("127.0.0.1") : config_.http.bind;
  logger_->info("open the UI at http://{}:{}/", ui_host, http_port);
}

int Daemon::run() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    logger_->info("received {}, shutting down", signal == SIGINT ? "SIGINT" : "SIGTERM");
    shutdown();
  });
  interfaces_.start([this](const std::vector<net::InterfaceAddress>& all) {
    policy_.set_own_addresses(own_addresses(all));
    discovery_.interfaces_changed(all);
  });
  discovery_.start(interfaces_.current());
  http_server_.start();
  io_.run();
  logger_->info("stopped");
  return 0;
}

void Daemon::shutdown() {
  discovery_.stop();  // sends goodbye first, while sockets are open
  http_server_.stop();
  interfaces_.stop();
  signals_.cancel();
  // Everything above ends its work by itself; anything still running after
  // this grace time (a probe waiting on its timeout) is abandoned.
  shutdown_deadline_.expires_after(std::chrono::milliseconds(300));
  shutdown_deadline_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) io_.stop();
  });
}

}  // namespace peerdrop::app
