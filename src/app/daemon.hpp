#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

#include "api/api_handler.hpp"
#include "app/config.hpp"
#include "app/transfer_bridge.hpp"
#include "app/ui_bridge.hpp"
#include "core/clock.hpp"
#include "core/logging.hpp"
#include "discovery/announcement_signer.hpp"
#include "discovery/discovery_service.hpp"
#include "http/http_server.hpp"
#include "http/local_request_policy.hpp"
#include "http/rate_limiter.hpp"
#include "http/static_assets.hpp"
#include "identity/data_dir_lock.hpp"
#include "identity/identity.hpp"
#include "net/interface_monitor.hpp"
#include "relay/child_process.hpp"
#include "relay/relay_grant_issuer.hpp"
#include "relay/relay_service.hpp"
#include "relay/remote_relays.hpp"
#include "relay/steady_alarm.hpp"
#include "relay/turn_credentials.hpp"
#include "settings/settings_service.hpp"
#include "store/peer_store.hpp"
#include "store/received_file_store.hpp"
#include "store/settings_store.hpp"
#include "signaling/inbox_state.hpp"
#include "signaling/outbox.hpp"
#include "signaling/signaling_service.hpp"
#include "store/sqlite_database.hpp"
#include "transfer/download_folder.hpp"
#include "transfer/transfer_service.hpp"
#include "ws/ui_hub.hpp"

namespace peerdrop::app {

// The composition root: owns every subsystem, in the order they are built;
// they are destroyed in reverse. Construction does all start-up work that can
// fail (keys, database, download folder, sockets) and throws core::StartupError.
class Daemon {
 public:
  explicit Daemon(Config config);
  int run();  // until SIGINT/SIGTERM; returns the exit code

 private:
  void shutdown();
  void push_peers();
  void settings_changed(const settings::Settings& now, const std::vector<std::string>& changed);
  void relay_addresses_changed(const std::vector<net::InterfaceAddress>& all);
  void relay_running_changed(bool running);
  // Shared relays: queues a message of the daemons' own (`relay:…`) for a peer; false if it could not be queued.
  bool send_daemon_message(const std::string& peer_id, std::string type, std::string payload);
  void daemon_message(const signaling::IncomingSignal& message);

  Config config_;
  core::SystemClock clock_;
  core::Logger logger_;
  boost::asio::io_context io_;
  identity::Identity identity_;
  identity::DataDirLock lock_;
  store::SqliteDatabase database_;
  store::PeerStore peer_store_;
  store::SettingsStore settings_store_;
  store::ReceivedFileStore received_files_;
  transfer::DownloadFolder download_folder_;
  settings::SettingsService settings_;  // before the signer: the stored name is the one announced
  discovery::AnnouncementSigner signer_;
  net::InterfaceMonitor interfaces_;
  discovery::DiscoveryService discovery_;
  relay::TurnCredentials turn_credentials_;
  relay::ChildProcessLauncher relay_launcher_;
  relay::SteadyAlarm relay_alarm_;
  // Always made (never null); runs while the `relay` setting is on (--turn turns it on at start).
  std::unique_ptr<relay::RelayService> relay_;
  signaling::Outbox outbox_;
  signaling::InboxState inbox_;
  signaling::SignalingService signaling_;
  // Shared relays: credentials for the relays other daemons offer, and our answers to their requests.
  relay::SteadyAlarm remote_relays_alarm_;
  relay::RemoteRelays remote_relays_;
  relay::RelayGrantIssuer relay_grants_;
  http::LocalRequestPolicy policy_;
  http::RateLimiter rate_limiter_;
  http::RateLimiter peer_rate_limiter_;
  http::StaticAssets assets_;
  api::ApiHandler api_;
  http::HttpServer http_server_;
  ws::UiHub ui_hub_;
  UiBridge ui_bridge_;
  transfer::TransferService transfer_;
  TransferBridge transfer_bridge_;
  boost::asio::signal_set signals_;
  bool peers_push_pending_ = false;
};

}  // namespace peerdrop::app
