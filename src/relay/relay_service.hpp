#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/logging.hpp"
#include "relay/child_process.hpp"
#include "relay/coturn_config.hpp"
#include "relay/relay_config.hpp"
#include "relay/relay_secret.hpp"
#include "relay/relay_supervisor.hpp"
#include "relay/steady_alarm.hpp"
#include "relay/turn_credentials.hpp"

namespace peerdrop::relay {

// The managed TURN relay (`--turn`): the shared secret, coturn's
// configuration, the supervised turnserver and the credentials for this
// daemon's UI. Files, all in `<data-dir>/relay/` (mode 0700):
//   secret           the shared secret (0600), made once
//   turnserver.conf  written before every start (0600: it holds the secret)
//   coturn.log       turnserver's stdout and stderr (0600), copied to coturn.log.1 when over the size limit
//   turnserver.pid, userdb.sqlite   coturn's own
// turnserver runs as `turnserver -c <dir>/turnserver.conf`: it reads nothing
// of the system's coturn installation, and the secret is never on its command line.
class RelayService {
 public:
  // One relay URL set for an RTCIceServer, with fresh credentials.
  struct IceServer {
    std::vector<std::string> urls;  // turn:<ip>:<port>?transport=udp, …?transport=tcp
    TurnCredential credential;
  };

  // Throws core::StartupError when the options cannot work (a port browsers
  // refuse, no address) or the secret cannot be read or made.
  RelayService(boost::asio::any_io_executor executor, const RelayConfig& config, CoturnConfig coturn,
               const std::filesystem::path& data_dir, const core::Clock& clock, const TurnCredentials& credentials,
               core::Logger logger);

  void start();
  void stop();  // SIGTERM (SIGKILL after the stop timeout); the destructor finishes the job if the loop has stopped

  void set_health_changed(std::function<void()> handler);
  const RelaySupervisor::Health& health() const { return supervisor_.health(); }
  bool running() const { return health().state == RelaySupervisor::State::running; }
  // {"enabled":true,"state":"running","port":3478,"addresses":["198.51.100.10"],"reason":"…","restarts":0}
  boost::json::object health_json() const;

  // The relay for an RTCIceServer list, with credentials for `user` (a peer
  // id) valid for the configured ttl; nothing unless the relay runs.
  std::optional<IceServer> ice_server(std::string_view user) const;

  const std::filesystem::path& dir() const { return dir_; }
  const CoturnConfig& coturn() const { return coturn_; }

 private:
  std::optional<std::string> write_config();
  void rotate_log();
  void schedule_log_check();

  RelayConfig config_;
  CoturnConfig coturn_;
  std::filesystem::path dir_;
  core::Logger logger_;
  RelaySecret secret_;
  const TurnCredentials& credentials_;
  ChildProcessLauncher launcher_;
  SteadyAlarm alarm_;
  RelaySupervisor supervisor_;
  boost::asio::steady_timer log_timer_;
};

}  // namespace peerdrop::relay
