#include "app/daemon.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <set>

#include "core/startup_error.hpp"

namespace peerdrop::app {

namespace asio = boost::asio;

namespace {

// The download folder, created if missing; anything that makes it unusable stops the start.
transfer::DownloadFolder open_download_folder(const std::filesystem::path& dir) {
  if (dir.empty()) {
    throw core::StartupError("no download folder: there is no $HOME, so give one with --download-dir");
  }
  auto folder = transfer::DownloadFolder::open(dir);
  if (!folder) {
    throw core::StartupError("cannot use the download folder " + dir.string() + " (" + folder.error().message() +
                             "); choose another with --download-dir");
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0 || ::access(folder->partial_path().c_str(), W_OK | X_OK) != 0) {
    throw core::StartupError("cannot write to the download folder " + dir.string() +
                             "; choose another with --download-dir");
  }
  return std::move(*folder);
}

// The managed TURN relay (--turn) on the chosen interfaces' addresses (127.0.0.1
// in loopback mode), reaching the LAN: their subnets and the --scan subnets.
std::unique_ptr<relay::RelayService> make_relay(asio::any_io_executor executor, const Config& config,
                                                const std::vector<net::InterfaceAddress>& interfaces,
                                                const core::Clock& clock, const relay::TurnCredentials& credentials) {
  if (!config.relay.enabled) return nullptr;
  const auto& r = config.relay;
  std::error_code ec;
  const auto data_dir = std::filesystem::absolute(config.data_dir, ec);
  relay::CoturnConfig coturn{.listening_port = r.port,
                             .min_port = r.min_port,
                             .max_port = r.max_port,
                             .realm = r.realm,
                             .loopback = config.discovery.loopback,
                             .pid_file = data_dir / "relay" / "turnserver.pid",
                             .userdb_file = data_dir / "relay" / "userdb.sqlite",
                             .user_quota = r.user_quota,
                             .total_quota = r.total_quota,
                             .max_bps = r.max_bps};
  if (config.discovery.loopback) {
    coturn.listening_ips = {"127.0.0.1"};  // nothing may leave the machine
  } else {
    for (const auto& iface : net::select_interfaces(interfaces, config.discovery.interfaces, false)) {
      coturn.listening_ips.push_back(net::Ipv4Subnet::format_address(iface.address));
      if (auto range = relay::peer_range_of(iface.subnet.to_string())) coturn.lan_ranges.push_back(*range);
    }
    for (const auto& cidr : config.discovery.scan_subnets) {
      if (auto range = relay::peer_range_of(cidr)) coturn.lan_ranges.push_back(*range);
    }
  }
  return std::make_unique<relay::RelayService>(std::move(executor), r, std::move(coturn), data_dir, clock,
                                               credentials, core::make_logger("relay"));
}

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
      settings_store_(database_),
      received_files_(database_),
      download_folder_(open_download_folder(config_.transfer.download_dir)),
      settings_(settings_store_,
                settings::Settings{.name = discovery::sanitize_name(config_.name),
                                   .download_dir = config_.transfer.download_dir.string()},
                core::make_logger("settings")),
      signer_(identity_, clock_, settings_.settings().name),
      interfaces_(io_.get_executor(), config_.discovery.interface_poll_interval, core::make_logger("network")),
      discovery_(io_.get_executor(), config_.discovery, config_.http.port == 0 ? 3001 : config_.http.port, clock_,
                 signer_, peer_store_, core::make_logger("discovery")),
      turn_credentials_(clock_, config_.relay.credential_ttl),
      relay_(make_relay(io_.get_executor(), config_, interfaces_.current(), clock_, turn_credentials_)),
      outbox_(database_, clock_, config_.signaling.outbox),
      inbox_(database_),
      signaling_(io_.get_executor(), config_.signaling, clock_, signer_, discovery_, outbox_, inbox_,
                 core::make_logger("signaling")),
      policy_(config_.http.port),
      rate_limiter_(clock_, http::RateLimiter::Limits{.rate = config_.http.rate_per_second,
                                                      .burst = config_.http.rate_burst}),
      peer_rate_limiter_(clock_, http::RateLimiter::Limits{.rate = config_.http.peer_rate_per_second,
                                                           .burst = config_.http.peer_rate_burst}),
      api_(discovery_, policy_, rate_limiter_, assets_, core::make_logger("http")),
      http_server_(io_, config_.http, api_, core::make_logger("http")),
      ui_hub_(config_.ws, core::make_logger("ui")),
      ui_bridge_(ui_hub_, discovery_, signaling_, settings_, turn_credentials_, relay_.get(), core::make_logger("ui")),
      transfer_(download_folder_, config_.transfer, clock_, core::make_logger("transfer")),
      transfer_bridge_(io_.get_executor(), ui_hub_, transfer_, received_files_, config_.transfer,
                       core::make_logger("transfer")),
      signals_(io_, SIGINT, SIGTERM) {
  const auto http_port = http_server_.listen();
  policy_.set_port(http_port);
  signer_.set_ports(http_port, 0);
  const auto discovery_port = discovery_.open();
  policy_.set_own_addresses(own_addresses(interfaces_.current()));
  logger_.get()->info("peerdropd {} \"{}\" id {}", PEERDROP_VERSION, signer_.name(), identity_.peer_id());
  logger_->info("data dir {}", config_.data_dir.string());
  logger_->info("received files go to {}", config_.transfer.download_dir.string());
  logger_->info("listening on http://{}:{} (discovery on UDP {}{})", config_.http.bind, http_port, discovery_port,
                config_.discovery.loopback ? ", loopback only" : "");
  http_server_.set_upgrader([this](asio::ip::tcp::socket socket, api::Request request) {
    ui_hub_.accept(std::move(socket), std::move(request));
  });
  ui_hub_.set_greeter([this](std::uint64_t tab) {
    ui_bridge_.greet(tab);
    transfer_bridge_.greet(tab);
  });
  ui_hub_.set_farewell([this](std::uint64_t tab) {
    ui_bridge_.tab_closed(tab);
    transfer_bridge_.tab_closed(tab);
  });
  ui_hub_.set_handler([this](std::uint64_t tab, const boost::json::object& m) {
    if (!transfer_bridge_.on_message(tab, m)) ui_bridge_.on_message(tab, m);
  });
  ui_hub_.set_binary_handler(
      [this](std::uint64_t tab, std::span<const std::uint8_t> frame) { transfer_bridge_.on_binary(tab, frame); });
  api_.set_file_library(&transfer_bridge_);
  discovery_.set_peers_changed([this] { push_peers(); });
  discovery_.set_signaling_hooks([this](const std::string& id) { return signaling_.waiting_for(id); },
                                 [this](const std::string& id) { signaling_.peer_is_waiting(id); });
  api_.set_signal_endpoint(&signaling_);
  api_.set_settings(&settings_);
  settings_.set_change_handler([this](const settings::Settings& now, const std::vector<std::string>& changed) {
    settings_changed(now, changed);
  });
  api_.set_peer_rate_limiter(&peer_rate_limiter_);
  if (relay_) {
    relay_->set_health_changed([this] { ui_bridge_.push_relay(); });
    api_.set_relay_status([this] {
      return boost::json::object{{"state", relay::RelaySupervisor::to_string(relay_->health().state)},
                                 {"port", relay_->coturn().listening_port}};
    });
  }
  signaling_.set_callbacks({
      .deliver = [this](const signaling::IncomingSignal& s) { ui_bridge_.deliver(s); },
      .delivered = [this](std::uint64_t tag) { ui_bridge_.delivered(tag); },
      .expired = [this](std::uint64_t tag, const std::string& peer) { ui_bridge_.expired(tag, peer); },
      .key_changed = [this](const std::string& id) { ui_bridge_.key_changed(id); },
  });
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
  signaling_.start();
  transfer_bridge_.start();
  if (relay_) relay_->start();
  http_server_.start();
  io_.run();  // until shutdown() stops it
  // Let the closed sockets' handlers finish, for at most a moment: a probe
  // still waiting on its connect timeout is abandoned.
  io_.restart();
  io_.run_for(std::chrono::milliseconds(300));
  logger_->info("stopped");
  return 0;
}

void Daemon::shutdown() {
  discovery_.stop();  // sends goodbye first, while sockets are open
  signaling_.stop();
  transfer_bridge_.stop();
  if (relay_) relay_->stop();  // SIGTERM now; whatever still runs at exit is killed by its handle
  http_server_.stop();
  ui_hub_.stop();
  interfaces_.stop();
  signals_.cancel();
  io_.stop();
}

}  // namespace peerdrop::app

namespace peerdrop::app {

void Daemon::settings_changed(const settings::Settings& now, const std::vector<std::string>& changed) {
  // The name takes effect at once: announced (a new burst), in health answers and in the next welcome.
  if (std::find(changed.begin(), changed.end(), "name") != changed.end()) discovery_.set_name(now.name);
  ui_bridge_.push_settings();
}

void Daemon::push_peers() {
  // Several changes in one go (a scan finding ten peers) become one message.
  if (peers_push_pending_ || ui_hub_.size() == 0) return;
  peers_push_pending_ = true;
  asio::post(io_, [this] {
    peers_push_pending_ = false;
    ui_bridge_.push_peers();
  });
}

}  // namespace peerdrop::app
