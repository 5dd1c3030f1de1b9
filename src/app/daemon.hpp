#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <cstdint>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "app/config.hpp"
#include "channel/channel_hub.hpp"
#include "control/control_endpoint_file.hpp"
#include "core/child_process.hpp"
#include "core/clock.hpp"
#include "core/logging.hpp"
#include "core/rate_limiter.hpp"
#include "core/steady_alarm.hpp"
#include "discovery/announcement_signer.hpp"
#include "discovery/discovery_service.hpp"
#include "discovery/peer_store.hpp"
#include "http/api_handler.hpp"
#include "http/control_token.hpp"
#include "http/http_server.hpp"
#include "http/local_request_policy.hpp"
#include "http/static_assets.hpp"
#include "identity/data_dir_lock.hpp"
#include "identity/identity.hpp"
#include "lane/lane_service.hpp"
#include "lane/lane_store.hpp"
#include "notify/desktop_notifier.hpp"
#include "messages/message_service.hpp"
#include "messages/message_store.hpp"
#include "net/interface_monitor.hpp"
#include "relay/relay_grant_issuer.hpp"
#include "relay/relay_grant_store.hpp"
#include "relay/relay_service.hpp"
#include "relay/remote_relays.hpp"
#include "relay/turn_credentials.hpp"
#include "settings/settings_service.hpp"
#include "settings/settings_store.hpp"
#include "signaling/inbox_state.hpp"
#include "signaling/outbox.hpp"
#include "signaling/signaling_service.hpp"
#include "store/sqlite_database.hpp"
#include "transfer/download_folder.hpp"
#include "transfer/received_file_store.hpp"
#include "transfer/received_files.hpp"
#include "transfer/transfer_service.hpp"
#include "transfer/transfer_timers.hpp"
#include "ui/file_transfer_handler.hpp"
#include "ui/ice_server_list.hpp"
#include "ui/lane_feed.hpp"
#include "ui/message_feed.hpp"
#include "ui/peer_feed.hpp"
#include "ui/signal_router.hpp"
#include "ui/ui_hub.hpp"
#include "ui/ui_router.hpp"

namespace peerdrop::app {

// The composition root: owns every subsystem, each built with what it needs
// in its constructor, in the order they are declared; they are destroyed in
// reverse. An event of a subsystem reaches another through a callback given
// at construction, which calls a member declared later only once the daemon
// runs. Construction does all start-up work that can fail (keys, database,
// download folder, sockets) and throws core::StartupError. run() returns
// once every socket, timer and child has finished after SIGINT or SIGTERM.
class Daemon {
 public:
  explicit Daemon(Config config);
  int run();  // until SIGINT/SIGTERM; returns the exit code

 private:
  void shutdown();
  void settings_changed(const settings::Settings& now, const std::vector<std::string>& changed);
  void interfaces_changed(const std::vector<net::InterfaceAddress>& all);
  void update_relay_addresses();
  void peers_changed();
  void relay_running_changed(bool running);
  // Shared relays: queues a message of the daemons' own (`relay:…`) for a peer; false if it could not be queued.
  bool send_daemon_message(const std::string& peer_id, std::string type, std::string payload);
  void daemon_message(const signaling::IncomingSignal& message);
  boost::json::object relay_status() const;
  bool trusts(const std::string& peer_id) const;
  void notify_offer(const lane::LaneTransfer& offer);  // a desktop notification, if there is a session bus

  Config config_;
  core::SystemClock clock_;
  core::Logger logger_;
  boost::asio::io_context io_;
  identity::Identity identity_;
  identity::DataDirLock lock_;
  store::SqliteDatabase database_;
  discovery::PeerStore peer_store_;
  settings::SettingsStore settings_store_;
  transfer::ReceivedFileStore received_file_store_;
  transfer::DownloadFolder download_folder_;
  settings::SettingsService settings_;
  net::InterfaceMonitor interfaces_;
  // Bound first: its port is in every announcement and in the local-request
  // policy. The HTTP server takes it over.
  boost::asio::ip::tcp::acceptor http_acceptor_;
  std::uint16_t http_port_;
  discovery::AnnouncementSigner signer_;
  // The authenticated channels to other daemons (TLS on the HTTP port).
  channel::ChannelHub channels_;
  discovery::DiscoveryService discovery_;
  relay::TurnCredentials turn_credentials_;
  core::ChildProcessLauncher relay_launcher_;
  core::SteadyAlarm relay_alarm_;
  // Runs while the `relay` setting is on (--turn turns it on at start).
  relay::RelayService relay_;
  signaling::Outbox outbox_;
  signaling::InboxState inbox_;
  signaling::SignalingService signaling_;
  // Messages daemon to daemon: kept in the database, carried by signaling.
  messages::MessageStore message_store_;
  core::SteadyAlarm messages_alarm_;
  messages::MessageService messages_;
  // Shared relays: credentials for the relays other daemons offer, and our answers to their requests.
  core::SteadyAlarm remote_relays_alarm_;
  relay::RemoteRelays remote_relays_;
  relay::RelayGrantStore relay_grant_store_;
  relay::RelayGrantIssuer relay_grants_;
  transfer::ReceivedFiles received_files_;
  transfer::TransferService transfer_;
  transfer::TransferTimers transfer_timers_;
  // Files daemon to daemon over the channels, received through transfer_.
  lane::LaneStore lane_store_;
  lane::UploadSpool upload_spool_;  // data_dir/outgoing: files pages send
  lane::LaneService lane_;
  http::LocalRequestPolicy policy_;
  http::ControlToken control_token_;  // data_dir/control-token: the key of the control API and /ws
  core::RateLimiter rate_limiter_;
  core::RateLimiter peer_rate_limiter_;
  http::StaticAssets assets_;
  ui::UiHub ui_hub_;
  ui::PeerFeed peer_feed_;
  ui::SignalRouter signal_router_;
  ui::IceServerList ice_servers_;
  ui::FileTransferHandler file_handler_;
  ui::MessageFeed message_feed_;
  ui::UiRouter ui_router_;
  ui::LaneFeed lane_feed_;
  // Offers as desktop notifications with Accept and Decline (when there is a session bus).
  notify::DesktopNotifier notifier_;
  http::ApiHandler api_;
  http::HttpServer http_server_;
  // data_dir/control-endpoint: where the `peerdrop` command finds this daemon; removed when it stops.
  control::ControlEndpointFile endpoint_file_;
  boost::asio::signal_set signals_;
  // Stops the loop if shutting down takes longer than kShutdownGrace (it never should).
  static constexpr std::chrono::milliseconds kShutdownGrace{5'000};
  std::promise<void> shutdown_done_;
  std::thread watchdog_;
};

}  // namespace peerdrop::app
