#include "app/daemon.hpp"

#include <unistd.h>

#include <algorithm>
#include <set>

#include "core/startup_error.hpp"
#include "messages/message_payload.hpp"

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

// The managed TURN relay, off until started (--turn or the relay setting).
// With --turn, options that can never work (a port browsers refuse) stop the
// start; turned on from the settings, they make it `failed` with the reason.
relay::RelayService make_relay(asio::any_io_executor executor, const Config& config, const core::Clock& clock,
                               const relay::TurnCredentials& credentials, core::ProcessLauncher& launcher,
                               core::Alarm& alarm, relay::RelayService::Hooks hooks) {
  const auto& r = config.relay;
  std::error_code ec;
  const auto data_dir = std::filesystem::absolute(config.data_dir, ec);
  // Its addresses come from discovery once that runs (Daemon::update_relay_addresses).
  relay::CoturnConfig coturn{.listening_port = r.port,
                             .min_port = r.min_port,
                             .max_port = r.max_port,
                             .realm = r.realm,
                             .loopback = config.discovery.loopback,
                             .pid_file = data_dir / "relay" / "turnserver.pid",
                             .userdb_file = data_dir / "relay" / "userdb.sqlite",
                             .user_quota = r.user_quota,
                             .total_quota = r.total_quota,
                             .max_users = static_cast<std::uint32_t>(r.max_grant_holders + 1),  // and our own UI
                             .max_bps = r.max_bps};
  if (r.enabled) {
    if (auto problem = coturn.options_problem()) throw core::StartupError("--turn: " + *problem);
  }
  return relay::RelayService(std::move(executor), r, std::move(coturn), data_dir, clock, credentials, launcher, alarm,
                             std::move(hooks), core::make_logger("relay"));
}

// The settings to start from: --name over the host name, the download folder;
// --turn turns the relay on and stores that (it stays on until the Settings
// switch turns it off).
settings::Settings initial_settings(const Config& config, settings::SettingsStore& store, const core::Logger& logger) {
  if (config.relay.enabled) {
    if (const auto ec = store.save(settings::SettingsUpdate{.relay = true})) {
      logger->warn("could not store that the relay is on (--turn: {}); it runs until peerdropd stops", ec.message());
    }
  }
  return settings::Settings{.name = discovery::sanitize_name(config.name),
                            .download_dir = config.transfer.download_dir.string()};
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
      received_file_store_(database_),
      download_folder_(open_download_folder(config_.transfer.download_dir)),
      settings_(settings_store_, initial_settings(config_, settings_store_, logger_),
                [this](const settings::Settings& now, const std::vector<std::string>& changed) {
                  settings_changed(now, changed);
                },
                core::make_logger("settings")),
      interfaces_(io_.get_executor(), config_.discovery.interface_poll_interval, core::make_logger("network")),
      http_acceptor_(http::HttpServer::bind(io_, config_.http)),
      http_port_(http_acceptor_.local_endpoint().port()),
      signer_(identity_, clock_, settings_.settings().name, http_port_),
      channels_(io_.get_executor(), identity_, clock_, config_.channel,
                channel::ChannelHub::Events{
                    .up =
                        [this](const std::string& peer, const channel::DaemonChannel& channel) {
                          discovery_.channel_up(peer, channel);  // its hello goes first
                          signaling_.channel_up(peer);
                          lane_.channel_up(peer);
                        },
                    .down =
                        [this](const std::string& peer) {
                          discovery_.channel_down(peer);
                          signaling_.channel_down(peer);
                          lane_.channel_down(peer);
                        },
                    .frame =
                        [this](const std::string& peer, channel::FrameType type,
                               std::span<const std::uint8_t> payload) {
                          if (type == channel::FrameType::hello) {
                            const auto* channel = channels_.active(peer);
                            discovery_.hello(peer, payload, channel->remote().address().to_string(),
                                             channel->direction() == channel::DaemonChannel::Direction::inbound);
                          } else if (type == channel::FrameType::transfer ||
                                     type == channel::FrameType::transfer_data) {
                            lane_.frame(peer, type, payload);
                          } else {
                            signaling_.frame(peer, type, payload);
                          }
                        }},
                core::make_logger("channel")),
      discovery_(io_.get_executor(), config_.discovery, config_.http.port == 0 ? 3001 : config_.http.port, clock_,
                 signer_, peer_store_, channels_,
                 discovery::DiscoveryService::Hooks{.peers_changed = [this] { peers_changed(); }},
                 core::make_logger("discovery")),
      turn_credentials_(clock_, config_.relay.credential_ttl),
      relay_launcher_(io_.get_executor()),
      relay_alarm_(io_.get_executor()),
      relay_(make_relay(io_.get_executor(), config_, clock_, turn_credentials_,
                        relay_launcher_, relay_alarm_,
                        relay::RelayService::Hooks{.health_changed = [this] { peer_feed_.relay_changed(); },
                                                   .running_changed = [this](bool running) {
                                                     relay_running_changed(running);
                                                   }})),
      outbox_(database_, clock_, config_.signaling.outbox),
      inbox_(database_),
      signaling_(io_.get_executor(), config_.signaling, clock_, identity_, discovery_, channels_, outbox_, inbox_,
                 signaling::SignalingService::Callbacks{
                     .deliver = [this](const signaling::IncomingSignal& s) { signal_router_.deliver(s); },
                     .delivered =
                         [this](std::uint64_t tag) {
                           if (messages::MessageService::owns_tag(tag)) return messages_.delivered(tag);
                           signal_router_.delivered(tag);
                         },
                     .expired =
                         [this](std::uint64_t tag, const std::string& peer) {
                           if (messages::MessageService::owns_tag(tag)) return messages_.expired(tag);
                           signal_router_.expired(tag, peer);
                         },
                     .daemon_message = [this](const signaling::IncomingSignal& m) { daemon_message(m); }},
                 core::make_logger("signaling")),
      message_store_(database_, config_.messages.max_history_per_peer),
      messages_alarm_(io_.get_executor()),
      messages_(config_.messages, clock_, messages_alarm_, message_store_,
                messages::MessageService::Hooks{
                    .send =
                        [this](const std::string& peer, std::string_view type, std::string payload,
                               std::chrono::milliseconds ttl, std::uint64_t tag) -> boost::system::result<void> {
                          auto queued = signaling_.send(peer, std::string(type), std::move(payload), ttl, tag);
                          if (!queued) return queued.error();
                          return {};
                        },
                    .may_send =
                        [this](const std::string& peer) {
                          const auto found = discovery_.find_peer(peer);
                          return found && found->verified;
                        },
                    .changed = [this](const messages::Message& m) { message_feed_.changed(m); },
                    .unread_changed = [this] { message_feed_.unread_changed(); },
                    .in_outbox = [this](std::uint64_t tag) { return outbox_.holds_tag(tag); }},
                core::make_logger("messages")),
      remote_relays_alarm_(io_.get_executor()),
      remote_relays_(
          clock_, remote_relays_alarm_, identity_,
          [this](const std::string& peer) { return send_daemon_message(peer, "relay:request", "{}"); },
          [this] { peer_feed_.peers_changed(); },  // a peer's "relay" went "ready", or back
          core::make_logger("relay")),
      relay_grant_store_(database_),
      relay_grants_(
          clock_, relay_grant_store_, [this](const std::string& id) { return discovery_.find_peer(id); },
          [this](const std::string& id) { return trusts(id); },
          [this](std::string_view user) { return relay_.ice_server(user); },
          [this](const std::string& peer, const std::string& payload) {
            send_daemon_message(peer, "relay:grant", payload);
          },
          core::make_logger("relay"), relay::RelayGrantIssuer::Limits{.max_holders = config_.relay.max_grant_holders}),
      received_files_(received_file_store_, download_folder_, core::make_logger("transfer")),
      transfer_(download_folder_, config_.transfer, clock_, core::make_logger("transfer"),
                transfer::TransferService::Hooks{
                    .progress =
                        [this](const transfer::TransferService::Progress& p) {
                          if (!lane_.owns(p.tab)) file_handler_.progress(p);  // the lane's show in its own list
                        },
                    .finished_lookup = [this](const std::string& peer, const std::string& tid,
                                              std::uint32_t index) { return received_files_.find(peer, tid, index); }}),
      transfer_timers_(io_.get_executor(), transfer_, config_.transfer),
      lane_store_(database_, config_.lane.max_kept_finished),
      upload_spool_(config_.data_dir / "outgoing"),
      lane_(io_.get_executor(), config_.lane, clock_, channels_, transfer_, lane_store_, upload_spool_,
            lane::LaneService::Hooks{
                .receiver = {.trusted = [this](const std::string& peer) { return trusts(peer); },
                             .landed = [this](const transfer::ReceivedFile& file) { file_handler_.landed(file); },
                             .changed = {},
                             .waiting = [this](const lane::LaneTransfer& offer) { notify_offer(offer); },
                             .settled = [this](const lane::LaneTransfer& offer) { notifier_.withdraw(offer.tid); },
                             .wrote = [this] { transfer_timers_.arm_checkpoint(); }},
                .changed = [this] { lane_feed_.changed(); },
                .known_peer =
                    [this](const std::string& id) {
                      const auto found = discovery_.find_peer(id);
                      return found && found->verified;  // a handshake proved its key
                    },
                .peer_name =
                    [this](const std::string& id) {
                      const auto peer = discovery_.find_peer(id);
                      return peer ? peer->name : std::string();
                    },
                .want_channel = [this](const std::string& id) { discovery_.want_channel(id); }},
            core::make_logger("transfer")),
      policy_(http_port_, own_addresses(interfaces_.current())),
      control_token_(http::ControlToken::load_or_create(config_.data_dir)),
      rate_limiter_(clock_, core::RateLimiter::Limits{.rate = config_.http.rate_per_second,
                                                      .burst = config_.http.rate_burst}),
      peer_rate_limiter_(clock_, core::RateLimiter::Limits{.rate = config_.http.peer_rate_per_second,
                                                           .burst = config_.http.peer_rate_burst}),
      ui_hub_(config_.ws,
              ui::UiHub::Events{.opened =
                                    [this](ui::Tab tab) {
                                      ui_router_.opened(tab);
                                      lane_feed_.greet(tab);
                                      message_feed_.greet(tab);
                                    },
                                .text = [this](ui::Tab tab, std::string_view text) { ui_router_.text(tab, text); },
                                .binary = [this](ui::Tab tab,
                                                 std::span<const std::uint8_t> bytes) { ui_router_.binary(tab, bytes); },
                                .closed = [this](ui::Tab tab) { ui_router_.closed(tab); }},
              core::make_logger("ui")),
      peer_feed_(io_.get_executor(), ui_hub_, discovery_, settings_, relay_, remote_relays_),
      signal_router_(ui_hub_, signaling_, discovery_),
      ice_servers_(ui_hub_, identity_.peer_id(), discovery_, settings_, turn_credentials_, relay_, remote_relays_),
      file_handler_(io_.get_executor(), ui_hub_, transfer_, received_files_, transfer_timers_, config_.transfer),
      message_feed_(io_.get_executor(), ui_hub_, messages_),
      ui_router_(ui_hub_, peer_feed_, signal_router_, ice_servers_, file_handler_),
      lane_feed_(io_.get_executor(), ui_hub_, lane_),
      notifier_(io_.get_executor(), clock_, config_.notify,
                notify::DesktopNotifier::Hooks{
                    .accepted = [this](const std::string& tid) { lane_.answer(tid, true, "notification"); },
                    .declined = [this](const std::string& tid) { lane_.answer(tid, false, "notification"); },
                    .dismissed = {}},  // it still waits: in the UI, for `peerdrop accept`, or until it expires
                core::make_logger("notify")),
      api_(http::ApiServices{.directory = discovery_,
                             .settings = settings_,
                             .files = received_files_,
                             .lane = lane_,
                             .relay_status = [this] { return std::optional(relay_status()); },
                             .relay_ready = [this](const std::string& id) { return remote_relays_.ready(id); },
                             .messages = messages_},
           policy_, control_token_, rate_limiter_, peer_rate_limiter_, assets_, core::make_logger("http")),
      http_server_(io_, config_.http, std::move(http_acceptor_), policy_, api_,
                   [this](asio::ip::tcp::socket socket, http::Request request) {
                     ui_hub_.accept(std::move(socket), std::move(request));
                   },
                   [this](asio::ip::tcp::socket socket, std::vector<std::uint8_t> already_read) {
                     channels_.accept(std::move(socket), std::move(already_read));
                   },
                   core::make_logger("http")),
      endpoint_file_(config_.data_dir,
                     control::endpoint_for(config_.http.bind, http_port_, ::getpid(), identity_.peer_id())),
      signals_(io_, SIGINT, SIGTERM) {
  const auto discovery_port = discovery_.open();
  logger_->info("peerdropd {} \"{}\" id {}", PEERDROP_VERSION, signer_.name(), identity_.peer_id());
  logger_->info("data dir {}", config_.data_dir.string());
  logger_->info("received files go to {}", config_.transfer.download_dir.string());
  logger_->info("listening on http://{}:{} (discovery on UDP {}{})", config_.http.bind, http_port_, discovery_port,
                config_.discovery.loopback ? ", loopback only" : "");
  // The link carries the control token in its fragment, which the browser never sends: the page keeps it.
  logger_->info("open the UI at {}/#token={}", endpoint_file_.endpoint().url(), control_token_.value());
}

int Daemon::run() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    logger_->info("received {}, shutting down", signal == SIGINT ? "SIGINT" : "SIGTERM");
    shutdown();
  });
  interfaces_.start([this](const std::vector<net::InterfaceAddress>& all) { interfaces_changed(all); });
  discovery_.start(interfaces_.current());
  update_relay_addresses();
  signaling_.start();
  messages_.start();
  transfer_timers_.start();
  lane_.start();
  if (config_.relay.enabled || settings_.settings().relay) relay_.start();
  http_server_.start();
  io_.run();  // returns once shutdown() has ended every socket, timer and child
  shutdown_done_.set_value();
  if (watchdog_.joinable()) watchdog_.join();
  logger_->info("stopped");
  return 0;
}

void Daemon::shutdown() {
  discovery_.stop();  // sends goodbye first, while sockets are open
  signaling_.stop();
  messages_.stop();
  channels_.stop();
  transfer_timers_.stop();
  lane_.stop();
  file_handler_.stop();
  lane_feed_.stop();
  notifier_.stop();
  remote_relays_.stop();
  relay_.stop();  // SIGTERM now, SIGKILL after its stop timeout
  http_server_.stop();
  ui_hub_.stop();
  interfaces_.stop();
  signals_.cancel();
  // Everything above ends by itself; should something not, the loop is stopped after a grace period.
  watchdog_ = std::thread([this, done = shutdown_done_.get_future()] {
    if (done.wait_for(kShutdownGrace) == std::future_status::ready) return;
    logger_->warn("shutting down took over {} s; stopping the event loop", kShutdownGrace.count() / 1000);
    io_.stop();
  });
}

void Daemon::settings_changed(const settings::Settings& now, const std::vector<std::string>& changed) {
  // The name takes effect at once: announced (a new burst), in health answers and in the next welcome.
  if (std::find(changed.begin(), changed.end(), "name") != changed.end()) discovery_.set_name(now.name);
  // The Settings switch "Run a relay on this computer": started or stopped now.
  if (std::find(changed.begin(), changed.end(), "relay") != changed.end()) {
    if (now.relay) {
      relay_.start();
    } else {
      relay_.stop();
    }
  }
  peer_feed_.settings_changed();
}

void Daemon::interfaces_changed(const std::vector<net::InterfaceAddress>& all) {
  policy_.set_own_addresses(own_addresses(all));
  discovery_.interfaces_changed(all);
  update_relay_addresses();
}

void Daemon::update_relay_addresses() {
  // The relay listens on the addresses of the interfaces discovery works on
  // (127.0.0.1 in loopback mode) and reaches discovery's subnets only. A
  // relay that is on restarts when that changes; anything else changes nothing.
  std::vector<std::string> listening_ips;
  if (config_.discovery.loopback) {
    listening_ips.push_back("127.0.0.1");  // nothing may leave the machine
  } else {
    for (const auto& iface : discovery_.interfaces()) {
      listening_ips.push_back(net::Ipv4Subnet::format_address(iface.address));
    }
  }
  relay_.set_addresses(std::move(listening_ips), discovery_.subnets());
}

void Daemon::peers_changed() {
  remote_relays_.update(discovery_.peers());  // shared relays: ask the peers that offer one
  peer_feed_.peers_changed();
}

void Daemon::relay_running_changed(bool running) {
  // Called whenever coturn starts or stops running (turned on or off, crashed,
  // restarted on new addresses). Whatever offers this relay to others follows it from here.
  logger_->debug("the TURN relay {}", running ? "runs" : "does not run");
  discovery_.set_relay_offered(running);  // the announcement flag (a new burst) and our health answers
}

void Daemon::notify_offer(const lane::LaneTransfer& offer) {
  const auto peer = discovery_.find_peer(offer.peer);
  const auto left = std::chrono::milliseconds(std::max<std::int64_t>(0, offer.expires_at - clock_.unix_ms()));
  notifier_.show(notify::OfferNotice{.key = offer.tid,
                                     .sender_name = peer ? peer->name : std::string("a peer"),
                                     .file_count = offer.files.size(),
                                     .total_bytes = offer.total_bytes(),
                                     .file_name = offer.files.size() == 1 ? offer.files.front().path : std::string(),
                                     .expires_at = clock_.now() + left});
}

bool Daemon::trusts(const std::string& peer_id) const {
  // "Always accept connections and files from X".
  const auto& trusted = settings_.settings().auto_accept;
  return std::find(trusted.begin(), trusted.end(), peer_id) != trusted.end();
}

bool Daemon::send_daemon_message(const std::string& peer_id, std::string type, std::string payload) {
  // Tag 0: no tab waits for it (SignalRouter knows only its own tags); its expiry is not reported to the UI.
  constexpr auto kTtl = std::chrono::seconds(60);
  const auto queued = signaling_.send(peer_id, type, std::move(payload), kTtl, 0);
  if (!queued) logger_->debug("could not queue a \"{}\" message for {}: {}", type, peer_id, queued.error().message());
  return queued.has_value();
}

void Daemon::daemon_message(const signaling::IncomingSignal& message) {
  // The daemons' own messages (verified envelopes, in order): never the UI's.
  if (message.type == "relay:request") {
    relay_grants_.on_request(message.from);
  } else if (message.type == "relay:grant") {
    remote_relays_.on_grant(message.from, message.payload);
  } else if (message.type == messages::MessagePayload::kType) {
    messages_.received(message.from, message.payload);
  } else {
    logger_->debug("ignored a \"{}\" message from {}: this version does not know it", message.type, message.from);
  }
}

boost::json::object Daemon::relay_status() const {
  // {"enabled":true,"state":"running","port":3478,"restarts":0}, or {"enabled":false,"state":"off"}
  const auto health = relay_.health_json();
  boost::json::object status{{"enabled", health.at("enabled")}, {"state", health.at("state")}};
  if (const auto* port = health.if_contains("port")) status["port"] = *port;
  if (const auto* restarts = health.if_contains("restarts")) status["restarts"] = *restarts;
  return status;
}

}  // namespace peerdrop::app
