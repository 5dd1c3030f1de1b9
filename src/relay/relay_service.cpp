#include "relay/relay_service.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <boost/json/array.hpp>
#include <cerrno>
#include <cstring>
#include <exception>
#include <system_error>

#include "core/fd_io.hpp"

namespace peerdrop::relay {
namespace {

constexpr const char* kConfigFile = "turnserver.conf";
constexpr const char* kLogFile = "coturn.log";

RelaySupervisor::Policy policy_of(const RelayConfig& config) {
  return RelaySupervisor::Policy{.first_delay = config.first_restart_delay,
                                 .max_delay = config.max_restart_delay,
                                 .stable_after = config.stable_after,
                                 .stop_timeout = config.stop_timeout};
}

// Writes `text` to `path` so that coturn never reads half a file and the secret is never readable by others.
std::optional<std::string> write_private_file(const std::filesystem::path& path, std::string_view text) {
  if (const auto ec = core::write_private_file(path, std::as_bytes(std::span(text.data(), text.size())))) {
    return "cannot write " + path.string() + ": " + ec.message();
  }
  return std::nullopt;
}

}  // namespace

RelayService::RelayService(boost::asio::any_io_executor executor, const RelayConfig& config, CoturnConfig coturn,
                           const std::filesystem::path& data_dir, const core::Clock& clock,
                           const TurnCredentials& credentials, core::ProcessLauncher& launcher, core::Alarm& alarm,
                           Hooks hooks, core::Logger logger)
    : config_(config),
      coturn_(std::move(coturn)),
      dir_(data_dir / "relay"),
      logger_(std::move(logger)),
      credentials_(credentials),
      supervisor_(launcher, alarm, clock,
                  core::LaunchSpec{.program = config_.program,
                             .args = {"-c", (dir_ / kConfigFile).string()},
                             .output_file = dir_ / kLogFile},
                  policy_of(config_), logger_),
      log_timer_(std::move(executor)),
      hooks_(std::move(hooks)) {
  supervisor_.set_before_start([this] { return prepare(); });
  supervisor_.set_health_changed([this] { health_changed(); });
}

void RelayService::start() {
  if (enabled_) return;
  enabled_ = true;
  logger_->info("TURN relay (coturn) on {}; its files are in {}", coturn_.describe(), dir_.string());
  const bool was_stopping = health().state == RelaySupervisor::State::stopping;
  supervisor_.start();
  if (was_stopping) health_changed();  // the supervisor waits for the old child: only "enabled" changed
  schedule_log_check();
}

void RelayService::stop() {
  if (!enabled_) return;
  enabled_ = false;
  log_timer_.cancel();
  const bool was_stopping = health().state == RelaySupervisor::State::stopping;
  supervisor_.stop();
  if (was_stopping) health_changed();
}

bool RelayService::set_addresses(std::vector<std::string> listening_ips, std::vector<net::Ipv4Subnet> lan_subnets) {
  auto next = coturn_;
  next.listening_ips = std::move(listening_ips);
  next.lan_subnets = std::move(lan_subnets);
  // What coturn would be told, less the secret: an address that changes none
  // of it (a VPN's, a container bridge's) restarts nothing.
  const bool differs = next.render({}) != coturn_.render({});
  coturn_ = std::move(next);
  if (!differs) return false;
  if (!enabled_) return true;  // the next start writes them
  if (coturn_.listening_ips.empty()) {
    logger_->warn("the TURN relay has no address any more; it waits for one");
  } else {
    logger_->info("the relay restarts on the new addresses {}", fmt::join(coturn_.listening_ips, ", "));
  }
  supervisor_.restart();
  return true;
}

void RelayService::health_changed() {
  if (hooks_.health_changed) hooks_.health_changed();
  if (running() != was_running_) {
    was_running_ = running();
    if (hooks_.running_changed) hooks_.running_changed(was_running_);
  }
}

boost::json::object RelayService::health_json() const {
  const auto& h = health();
  if (!enabled_ && h.state == RelaySupervisor::State::stopped) return {{"enabled", false}, {"state", "off"}};
  boost::json::array addresses;
  for (const auto& ip : coturn_.listening_ips) addresses.emplace_back(ip);
  boost::json::object out{{"enabled", enabled_},
                          {"state", RelaySupervisor::to_string(h.state)},
                          {"port", coturn_.listening_port},
                          {"addresses", std::move(addresses)},
                          {"restarts", h.restarts}};
  if (!h.reason.empty()) out["reason"] = h.reason;
  return out;
}

std::optional<RelayService::IceServer> RelayService::ice_server(std::string_view user) const {
  if (!running() || !secret_) return std::nullopt;
  IceServer out;
  // At most 4 URLs per server (the settings' rule, and what a page accepts): two addresses, UDP and TCP.
  for (std::size_t i = 0; i < coturn_.listening_ips.size() && i < 2; ++i) {
    const auto base = "turn:" + coturn_.listening_ips[i] + ":" + std::to_string(coturn_.listening_port);
    out.urls.push_back(base + "?transport=udp");
    out.urls.push_back(base + "?transport=tcp");
  }
  out.credential = credentials_.issue(secret_->value(), user);
  return out;
}

std::optional<std::string> RelayService::prepare() {
  if (auto problem = coturn_.problem()) return problem;
  if (!secret_) {
    try {
      secret_.emplace(RelaySecret::load_or_create(dir_ / "secret"));
    } catch (const std::exception& e) {  // its sentence names the file, never the secret
      return std::string(e.what());
    }
  }
  rotate_log();
  return write_config();
}

std::optional<std::string> RelayService::write_config() {
  // Written at every start: a file removed or edited by hand is put right, new addresses go in.
  return write_private_file(dir_ / kConfigFile, coturn_.render(secret_->value()));
}

void RelayService::rotate_log() {
  // Copy and truncate (turnserver keeps its descriptor, opened with O_APPEND,
  // so it goes on writing at the new end): coturn.log and coturn.log.1 stay
  // under the limit each. The lines written between copy and truncation are lost.
  const auto log = dir_ / kLogFile;
  std::error_code ec;
  const auto size = std::filesystem::file_size(log, ec);
  if (ec || size <= config_.log_max_bytes) return;
  auto old = log;
  old += ".1";
  std::filesystem::copy_file(log, old, std::filesystem::copy_options::overwrite_existing, ec);
  if (!ec) ::chmod(old.c_str(), 0600);
  if (ec || ::truncate(log.c_str(), 0) != 0) {
    logger_->warn("could not rotate {}: {}", log.string(), ec ? ec.message() : std::strerror(errno));
  }
}

void RelayService::schedule_log_check() {
  log_timer_.expires_after(config_.log_check_interval);
  log_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    rotate_log();
    schedule_log_check();
  });
}

}  // namespace peerdrop::relay
