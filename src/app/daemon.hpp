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
#include "relay/relay_service.hpp"
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
  std::unique_ptr<relay::RelayService> relay_;  // with --turn
  signaling::Outbox outbox_;
  signaling::InboxState inbox_;
  signaling::SignalingService signaling_;
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
