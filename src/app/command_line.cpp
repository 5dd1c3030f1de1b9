#include "app/command_line.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdlib>
#include <map>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>

#include "control/data_dir.hpp"

namespace peerdrop::app {
namespace {

std::string host_name() {
  char buffer[256] = {};
  if (::gethostname(buffer, sizeof buffer - 1) != 0 || buffer[0] == '\0') return "peerdrop";
  return buffer;
}

// $HOME/Downloads/PeerDrop; empty without a $HOME (the daemon then asks for --download-dir).
std::filesystem::path default_download_dir() {
  if (const char* home = std::getenv("HOME"); home && *home) {
    return std::filesystem::path(home) / "Downloads" / "PeerDrop";
  }
  return {};
}

// An option in seconds, or with a unit: 90m, 36h, 7d.
void add_duration(CLI::App& app, const std::string& name, double& seconds, const std::string& help, double min_seconds,
                  double max_seconds) {
  app.add_option(name, seconds, help)
      ->transform(CLI::AsNumberWithUnit(std::map<std::string, double>{{"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}},
                                        CLI::AsNumberWithUnit::CASE_SENSITIVE))
      ->check(CLI::Range(min_seconds, max_seconds))
      ->type_name("DURATION");
}

// "FIRST-LAST", a range of 1 to 256 ports for loopback discovery.
std::optional<std::pair<std::uint16_t, std::uint16_t>> port_range(std::string_view text) {
  const auto number = [](std::string_view digits, unsigned& value) {
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return ec == std::errc() && end == digits.data() + digits.size();
  };
  const auto dash = text.find('-');
  unsigned first = 0, last = 0;
  if (dash == text.npos || !number(text.substr(0, dash), first) || !number(text.substr(dash + 1), last)) return {};
  if (first < 1 || last > 65535 || first > last || last - first >= 256) return {};
  return std::pair{static_cast<std::uint16_t>(first), static_cast<std::uint16_t>(last)};
}

}  // namespace

ParsedCommandLine parse_command_line(int argc, const char* const* argv) {
  Config config;
  auto& d = config.discovery;
  auto& h = config.http;
  bool loopback = false;
  bool no_scan = false;
  double announce_seconds = 20;
  double partial_max_age_seconds = 7 * 24 * 3600.0;
  double offer_timeout_seconds = 600;
  double message_ttl_seconds = 7 * 24 * 3600.0;

  CLI::App app("peerdropd: finds the other PeerDrop daemons on the local network, carries their WebRTC signaling "
               "and serves the PeerDrop web UI.",
               "peerdropd");
  app.set_version_flag("--version", PEERDROP_VERSION);
  app.set_config("--config", "", "Read options from this TOML/INI file (same keys as the long flags)");
  app.option_defaults()->always_capture_default();

  app.add_option("--port", h.port, "TCP port of the HTTP API, WebSocket and UI (0 picks a free port and logs it)");
  app.add_option("--bind", h.bind, "Address the HTTP server listens on");
  app.add_option("--name", config.name,
                 "Display name shown to other peers (default: the host name); a name set in the UI's settings "
                 "wins over it");
  app.add_option("--data-dir", config.data_dir,
                 "Where the identity key and the peer database live (default: $XDG_DATA_HOME/peerdrop or "
                 "~/.local/share/peerdrop)");
  app.add_option("--download-dir", config.transfer.download_dir,
                 "Where received files go (default: ~/Downloads/PeerDrop); created at start");
  add_duration(app, "--partial-max-age", partial_max_age_seconds,
               "Remove partial files of unfinished transfers untouched for this long (seconds, or with a unit: "
               "90m, 36h, 7d; default 7d)",
               1.0, 3650.0 * 86400);
  add_duration(app, "--offer-timeout", offer_timeout_seconds,
               "How long an offer of files from another computer waits for an answer here before it expires "
               "(seconds, or 5m, 1h; default 10m)",
               1.0, 7 * 86400.0);
  app.add_option("--notify-bus", config.notify.bus_address,
                 "D-Bus address for desktop notifications of offers (default: the user's session bus; \"none\": "
                 "no notifications)");
  add_duration(app, "--message-ttl", message_ttl_seconds,
               "How long a message waits for its peer's daemon before it expires undelivered (seconds, or with a "
               "unit; default 7d, at most 30d)",
               1.0, 30.0 * 86400);
  app.add_option("--discovery-port", d.port, "UDP port for discovery announcements");
  app.add_option("--interface", d.interfaces, "Use only this network interface (repeatable); container, VM and VPN links are used only when named")
      ->take_all()
      ->allow_extra_args(false);
  app.add_option("--scan", d.scan_subnets,
                 "Also scan this IPv4 subnet for peers, e.g. 203.0.113.0/24 (repeatable; for peers in other subnets)")
      ->allow_extra_args(false);
  app.add_option("--peer", d.manual_peers, "A peer's address HOST:PORT to probe at start (repeatable)")
      ->allow_extra_args(false);
  app.add_flag("--no-scan", no_scan, "Do not scan the local subnets over HTTP (UDP announcements still run)");
  auto* loopback_flag = app.add_flag(
      "--loopback", loopback,
      "Stay on this machine: listen on 127.0.0.1, announce only to 127.0.0.1 ports 3001-3016 (--loopback-ports), "
      "no subnet scan. For trying PeerDrop (several daemons on one machine) on a network you must not touch");
  std::string loopback_ports;
  app.add_option("--loopback-ports", loopback_ports,
                 "With --loopback: the UDP ports FIRST-LAST (at most 256) that discovery takes its port from and "
                 "announces to, default 3001-3016; only daemons on the same range find each other")
      ->type_name("FIRST-LAST")
      ->needs(loopback_flag)
      ->check(CLI::Validator(
          [](std::string& text) { return port_range(text) ? "" : "not a range FIRST-LAST of 1 to 256 ports: " + text; },
          ""));
  app.add_option("--announce-interval", announce_seconds,
                 "Seconds between UDP announcements (±25% jitter); peers are offline after 3.5 intervals")
      ->check(CLI::Range(0.05, 3600.0));
  auto& r = config.relay;
  double turn_ttl_seconds = static_cast<double>(r.credential_ttl.count());
  app.add_flag("--turn", r.enabled,
               "Run a TURN relay (coturn's turnserver, from Debian's coturn package) on this machine's addresses, "
               "for peers that cannot reach each other directly; peerdropd writes its configuration, keeps it "
               "running and gives its UI short-lived credentials. With --loopback it listens on 127.0.0.1 only. "
               "This turns on the Settings switch \"Run a relay on this computer\" and stores it: the relay runs "
               "at every start until the switch is turned off");
  app.add_option("--turn-port", r.port,
                 "UDP and TCP port of the TURN relay (1024 or above, or 53, 80, 443: browsers refuse other low ports)");
  app.add_option("--turn-min-port", r.min_port, "First UDP port the TURN relay allocates relayed addresses from");
  app.add_option("--turn-max-port", r.max_port, "Last UDP port the TURN relay allocates relayed addresses from");
  add_duration(app, "--turn-credential-ttl", turn_ttl_seconds,
               "How long the TURN credentials given to the UI stay valid (seconds, or with a unit: 90m, 12h, 1d; "
               "default 1d). A relayed connection needs valid credentials for as long as it lasts",
               60.0, 7.0 * 86400);
  app.add_option("--log-level", config.log_level, "trace, debug, info, warn or error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return ParsedCommandLine{std::nullopt, app.exit(e)};
  }

  if (config.name.empty()) config.name = host_name();
  if (config.data_dir.empty()) config.data_dir = control::default_data_dir();
  if (config.transfer.download_dir.empty()) config.transfer.download_dir = default_download_dir();
  if (!config.transfer.download_dir.empty()) {
    std::error_code ec;
    const auto absolute = std::filesystem::absolute(config.transfer.download_dir, ec);
    if (!ec) {
      auto normal = absolute.lexically_normal();
      if (!normal.has_filename() && normal.has_relative_path()) normal = normal.parent_path();  // no trailing '/'
      config.transfer.download_dir = normal;
    }
  }
  config.transfer.partial_max_age =
      std::chrono::milliseconds(static_cast<std::int64_t>(partial_max_age_seconds * 1000));
  config.lane.offer_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(offer_timeout_seconds * 1000));
  config.messages.ttl = std::chrono::milliseconds(static_cast<std::int64_t>(message_ttl_seconds * 1000));
  d.announce_interval = std::chrono::milliseconds(static_cast<std::int64_t>(announce_seconds * 1000));
  r.credential_ttl = std::chrono::seconds(static_cast<std::int64_t>(turn_ttl_seconds));
  d.scan_enabled = !no_scan;
  if (loopback) {
    d.loopback = true;
    d.scan_enabled = false;
    d.interfaces = {};
    h.bind = "127.0.0.1";
  }
  if (const auto range = port_range(loopback_ports)) {
    std::tie(d.loopback_first_port, d.loopback_last_port) = *range;
    if (app.count("--discovery-port") == 0) d.port = range->first;
  }
  return ParsedCommandLine{config, 0};
}

}  // namespace peerdrop::app
