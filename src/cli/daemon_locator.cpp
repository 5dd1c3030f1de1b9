#include "cli/daemon_locator.hpp"

#include <signal.h>

#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <cerrno>

#include "cli/daemon_health.hpp"
#include "control/control_endpoint_file.hpp"
#include "control/control_token_file.hpp"
#include "control/data_dir.hpp"
#include "core/errc.hpp"

namespace peerdrop::cli {
namespace {

// Whether the process lives and belongs to this user (kill with signal 0 sends nothing).
bool own_process_lives(std::int64_t pid) { return ::kill(static_cast<pid_t>(pid), 0) == 0; }

// Whether `host` is an address of this machine: only then may the token go there.
bool is_own_address(const std::string& host) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  if (ec) return false;
  if (address.is_loopback()) return true;
  boost::asio::io_context io;
  boost::asio::ip::udp::socket socket(io);
  socket.open(address.is_v6() ? boost::asio::ip::udp::v6() : boost::asio::ip::udp::v4(), ec);
  if (!ec) socket.bind({address, 0}, ec);  // succeeds only for an address of this machine's interfaces
  return !ec;
}

}  // namespace

DaemonLocator::DaemonLocator(std::filesystem::path data_dir, std::chrono::milliseconds timeout)
    : data_dir_(std::move(data_dir)), timeout_(timeout) {}

Failure DaemonLocator::not_running() const {
  std::error_code ec;
  const bool default_dir = std::filesystem::equivalent(data_dir_, control::default_data_dir(), ec);
  const auto start = default_dir ? std::string("peerdropd") : "peerdropd --data-dir " + data_dir_.string();
  return failed("peerdropd is not running for " + data_dir_.string() + "; start it with: " + start);
}

Outcome<ControlClient> DaemonLocator::locate() const {
  const auto file = data_dir_ / control::kControlEndpointFileName;
  const auto endpoint = control::ControlEndpointFile::read(data_dir_);
  if (!endpoint) {
    const auto& ec = endpoint.error();
    if (ec == boost::system::errc::no_such_file_or_directory) return not_running();
    if (ec == core::Errc::too_large || ec == core::Errc::malformed) {
      return failed(file.string() + " is damaged (it is not what peerdropd writes there); restart peerdropd, "
                                    "which writes it again");
    }
    return failed("cannot read " + file.string() + " (" + ec.message() +
                  "); run peerdrop as the user who runs peerdropd");
  }
  if (!own_process_lives(endpoint->pid)) return not_running();  // a daemon that was killed left it behind
  if (!is_own_address(endpoint->host)) {
    return failed(file.string() + " says peerdropd listens at " + endpoint->url() +
                  ", which is not an address of this machine; restart peerdropd, which writes it again");
  }

  const ControlClient anonymous(*endpoint, "", timeout_);
  const auto answer = anonymous.request("GET", "/api/health");
  if (!answer) {
    if (answer.error() == boost::asio::error::connection_refused) return not_running();
    if (answer.error() == core::Errc::timeout) {
      return failed("peerdropd at " + endpoint->url() + " did not answer within " +
                    std::to_string(timeout_.count() / 1000) + " s; it may be stuck: look at its log, or restart it");
    }
    return failed("cannot talk to peerdropd at " + endpoint->url() + " (" + answer.error().message() +
                  "); restart peerdropd");
  }
  const auto health = answer->status == 200 ? parse_daemon_health(answer->body) : std::nullopt;
  // Another daemon (another data dir) took the port of one that was killed: ours is not running.
  if (!health || health->id != endpoint->id) return not_running();

  auto token = control::read_control_token(data_dir_);
  if (!token) {
    const auto token_file = (data_dir_ / control::kControlTokenFileName).string();
    if (token.error() == core::Errc::malformed || token.error() == boost::system::errc::no_such_file_or_directory) {
      return failed("PeerDrop's key " + token_file + " is missing or damaged; restart peerdropd, which writes a "
                    "new one (then open the UI again with: peerdrop open)");
    }
    return failed("cannot read PeerDrop's key " + token_file + " (" + token.error().message() +
                  "); run peerdrop as the user who runs peerdropd");
  }
  return ControlClient(*endpoint, std::move(*token), timeout_);
}

}  // namespace peerdrop::cli
