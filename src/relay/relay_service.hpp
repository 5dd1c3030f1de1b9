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
#include "core/alarm.hpp"
#include "relay/coturn_config.hpp"
#include "core/process_launcher.hpp"
#include "relay/relay_config.hpp"
#include "relay/relay_secret.hpp"
#include "relay/relay_supervisor.hpp"
#include "relay/turn_credentials.hpp"

namespace peerdrop::relay {

// The managed TURN relay ("Run a relay on this computer": `--turn` or the
// `relay` setting): the shared secret, coturn's configuration, the supervised
// turnserver and the credentials for this daemon's UI. It exists for the
// daemon's whole life and is turned on and off at run time (start, stop), so
// whoever holds it (the UI feed, the ice_servers answer) never holds a
// dangling pointer. Files, all in `<data-dir>/relay/` (mode 0700), made at the
// first start, never by a daemon whose relay stays off:
//   secret           the shared secret (0600), made once
//   turnserver.conf  written before every start (0600: it holds the secret)
//   coturn.log       turnserver's stdout and stderr (0600), copied to coturn.log.1 when over the size limit
//   turnserver.pid, userdb.sqlite   coturn's own
// turnserver runs as `turnserver -c <dir>/turnserver.conf`: it reads nothing
// of the system's coturn installation, and the secret is never on its command line.
// Nothing here throws: whatever keeps the relay from running (coturn not
// installed, no address, options browsers refuse, an unreadable secret) is
// the `failed` state with its reason in words, tried again with a backoff.
class RelayService {
 public:
  // One relay URL set for an RTCIceServer, with fresh credentials.
  struct IceServer {
    std::vector<std::string> urls;  // turn:<ip>:<port>?transport=udp, …?transport=tcp
    TurnCredential credential;
  };

  struct Hooks {
    std::function<void()> health_changed;         // after every change of state (to tell the UI)
    // When it starts or stops running (a relay that can be offered to peers, or not any more).
    std::function<void(bool running)> running_changed;
  };

  // `launcher` and `alarm` start turnserver and time its restarts (the
  // daemon's: ChildProcessLauncher, SteadyAlarm; the tests': fakes). The
  // executor runs the log-size check.
  RelayService(boost::asio::any_io_executor executor, const RelayConfig& config, CoturnConfig coturn,
               const std::filesystem::path& data_dir, const core::Clock& clock, const TurnCredentials& credentials,
               core::ProcessLauncher& launcher, core::Alarm& alarm, Hooks hooks, core::Logger logger);
  RelayService(const RelayService&) = delete;
  RelayService& operator=(const RelayService&) = delete;

  // Turns the relay on: turnserver is started now and kept running. Again while on: nothing.
  void start();
  // Turns it off: SIGTERM, SIGKILL after the stop timeout; `off` once it
  // exited (the destructor finishes the job if the loop has stopped). Again while off: nothing.
  void stop();
  bool enabled() const { return enabled_; }

  // The chosen interfaces' addresses (where it listens and relays) and the
  // subnets it may reach, after the network changed. Different ones are written into the
  // configuration and, while the relay is on, turnserver is restarted on
  // them; the same ones change nothing. True if they differed.
  bool set_addresses(std::vector<std::string> listening_ips, std::vector<net::Ipv4Subnet> lan_subnets);

  const RelaySupervisor::Health& health() const { return supervisor_.health(); }
  bool running() const { return health().state == RelaySupervisor::State::running; }
  // On, or still stopping: {"enabled":true,"state":"running","port":3478,"addresses":["198.51.100.10"],
  // "restarts":0} with "reason" when there is one ("enabled":false while it stops);
  // off: {"enabled":false,"state":"off"}.
  boost::json::object health_json() const;

  // The relay for an RTCIceServer list, with credentials for `user` (a peer
  // id) valid for the configured ttl; nothing unless the relay runs.
  std::optional<IceServer> ice_server(std::string_view user) const;

  const std::filesystem::path& dir() const { return dir_; }
  const CoturnConfig& coturn() const { return coturn_; }

 private:
  std::optional<std::string> prepare();
  std::optional<std::string> write_config();
  void rotate_log();
  void schedule_log_check();
  void health_changed();

  RelayConfig config_;
  CoturnConfig coturn_;
  std::filesystem::path dir_;
  core::Logger logger_;
  std::optional<RelaySecret> secret_;  // read or made at the first start
  const TurnCredentials& credentials_;
  RelaySupervisor supervisor_;
  boost::asio::steady_timer log_timer_;
  Hooks hooks_;
  bool enabled_ = false;
  bool was_running_ = false;
};

}  // namespace peerdrop::relay
