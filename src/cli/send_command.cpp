#include "cli/send_command.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <system_error>

#include "cli/peer_resolver.hpp"
#include "cli/peers_view.hpp"
#include "cli/progress_meter.hpp"
#include "cli/terminal_text.hpp"
#include "cli/transfer_text.hpp"

namespace peerdrop::cli {
namespace {

constexpr const char* kClearLine = "\r\033[K";

// The absolute path the daemon is given: made absolute against the working
// directory, with "." and ".." resolved by name (the working directory has
// no links in it) and no trailing slash, so a folder keeps its name.
Outcome<std::string> absolute_path(const std::string& typed) {
  std::error_code ec;
  auto path = std::filesystem::absolute(typed, ec);
  if (ec) return failed(printable(typed) + ": " + ec.message());
  path = path.lexically_normal();
  if (!path.has_filename() && path != path.root_path()) path = path.parent_path();
  if (!std::filesystem::exists(std::filesystem::symlink_status(path, ec))) {
    return failed(printable(typed) + ": no such file or folder");
  }
  return path.string();
}

// "3 files (50.0 MiB)"
std::string what(const TransferRecord& transfer) {
  return files_text(transfer.file_count) + " (" + size_text(transfer.total_bytes) + ")";
}

// The progress line on a terminal: drawn in place, cleared before any other line.
class ProgressLine {
 public:
  ProgressLine(std::ostream& err, bool terminal) : err_(err), terminal_(terminal) {}
  void draw(const std::string& line) {
    if (!terminal_) return;
    err_ << kClearLine << line << std::flush;
    drawn_ = true;
  }
  void clear() {
    if (!drawn_) return;
    err_ << kClearLine << std::flush;
    drawn_ = false;
  }
  // A line of its own, above the progress line.
  void say(const std::string& line) {
    clear();
    err_ << line << "\n" << std::flush;
  }

 private:
  std::ostream& err_;
  bool terminal_;
  bool drawn_ = false;
};

}  // namespace

std::string SendCommand::ending(const TransferRecord& t) {
  const auto who = peer_word(t);
  const auto why = printable(t.reason.empty() ? t.code : t.reason);
  const auto because = why.empty() ? std::string() : " (" + why + ")";
  if (t.state == "declined") {
    if (t.code == "declined" || t.code.empty()) return who + " declined the " + what(t) + "; nothing was sent";
    return who + " refused the " + what(t) + because + "; nothing was sent";
  }
  if (t.state == "expired") {
    return "the offer to " + who + " expired" + because + "; send again when someone at " + who +
           " can answer (peerdrop accept there), or have " + who + " trust this computer";
  }
  if (t.state == "cancelled") return "the transfer to " + who + " was cancelled" + because;
  return "the transfer to " + who + " failed" + because;
}

Failure SendCommand::stopped_waiting(const TransferRecord& transfer, const std::string& why,
                                     const std::string& when) const {
  return failed(why + "; the transfer to " + peer_word(transfer) + " goes on in the background" + when +
                ": peerdrop status shows it, peerdrop cancel " + tid_argument(transfer.tid) + " stops it");
}

Outcome<> SendCommand::run(const CommandContext& context) const {
  std::vector<std::string> paths;
  for (const auto& typed : request_.paths) {
    auto path = absolute_path(typed);
    if (!path) return path.error();
    paths.push_back(std::move(*path));
  }
  auto peers = context.daemon.peers();
  if (!peers) return peers.error();
  const auto peer = PeerResolver(sorted_for_display(std::move(*peers))).resolve(request_.peer);
  if (!peer) return peer.error();
  const auto sent = context.daemon.send(peer->id, paths);
  if (!sent) return sent.error();
  const auto& transfer = *sent;
  const auto who = peer_word(transfer);
  const auto offered = "Offered " + what(transfer) + " to " + peer_text(transfer);
  if (!request_.wait) {
    context.err << offered << "; it goes on in the background: peerdrop status shows its progress.\n";
    context.out << transfer.tid << "\n";
    return {};
  }
  if (peer->online) {
    context.err << offered << ": waiting for " << who << " to accept.\n" << std::flush;
  } else {
    context.err << offered << ": " << who << " is offline; waiting for it to come back and accept.\n" << std::flush;
  }
  return follow(context, transfer);
}

Outcome<> SendCommand::follow(const CommandContext& context, const TransferRecord& offered) const {
  const auto& clock = surroundings_.clock;
  const auto who = peer_word(offered);
  std::optional<DaemonApi> replaced;  // the daemon once it was found again after a restart
  ProgressLine line(context.err, surroundings_.terminal);
  ProgressMeter meter;
  std::string state = offered.state;
  std::string stalled;
  // Shown progress never goes back: the sender's count dips between a file's last byte and the
  // receiver's verdict, and starts from 0 after a restart until the receiver says what it has.
  std::uint64_t shown_bytes = 0;
  auto started = clock.now();  // when the bytes began to flow (at the latest)
  for (;;) {
    if (surroundings_.interrupted()) {
      line.clear();
      return stopped_waiting(offered, "stopped waiting");
    }
    surroundings_.sleep(kPollInterval);
    const auto& daemon = replaced ? *replaced : context.daemon;
    auto got = daemon.transfer(offered.tid);
    if (!got) {
      if (got.error().cause != kDaemonLost) {
        line.clear();
        if (got.error().cause == "not_found") {
          return failed("peerdropd no longer knows transfer " + short_tid(offered.tid) +
                        " (its data dir changed?); peerdrop status lists the transfers it knows");
        }
        return got.error();
      }
      line.clear();
      auto back = reconnect(context, offered);
      if (!back) return back.error();
      replaced.emplace(std::move(*back));
      meter = ProgressMeter();  // the time away says nothing about the speed
      continue;
    }
    const auto& t = *got;
    const auto now = clock.now();
    if (t.state == "offered") started = now;
    if (t.state != state) {
      if (t.state == "accepted") line.say(who + " accepted; sending " + what(t) + ".");
      state = t.state;
    }
    if (t.stalled != stalled) {
      if (!t.stalled.empty()) line.say("Stalled: " + printable(t.stalled));
      if (t.stalled.empty() && t.active()) line.say("Going on.");
      stalled = t.stalled;
    }
    if (t.state == "accepted") {
      shown_bytes = std::max(shown_bytes, t.done_bytes);
      meter.add(now, shown_bytes);
      line.draw(progress_line(shown_bytes, t.total_bytes, meter.bytes_per_second()));
    }
    if (t.active()) continue;
    line.clear();
    if (t.state != "done") return failed(ending(t));
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - started);
    const auto seconds = std::max(std::chrono::duration<double>(elapsed).count(), 0.001);
    context.out << "Sent " << what(t) << " to " << who << " in " << duration_text(elapsed) << " ("
                << rate_text(static_cast<double>(t.total_bytes) / seconds) << "); " << who << " verified "
                << (t.file_count == 1 ? "it" : "them") << ".\n";
    return {};
  }
}

Outcome<DaemonApi> SendCommand::reconnect(const CommandContext& context, const TransferRecord& transfer) const {
  const auto& clock = surroundings_.clock;
  context.err << "Lost peerdropd; waiting up to " << kRelocateFor.count() / 1000 << " s for it to come back.\n"
              << std::flush;
  const auto deadline = clock.now() + kRelocateFor;
  while (clock.now() < deadline) {
    if (surroundings_.interrupted()) return stopped_waiting(transfer, "stopped waiting");
    surroundings_.sleep(kRelocateInterval);
    auto daemon = surroundings_.relocate();
    if (!daemon) continue;
    auto answer = daemon->transfer(transfer.tid);
    if (!answer && answer.error().cause == kDaemonLost) continue;
    context.err << "peerdropd is back.\n" << std::flush;
    return std::move(*daemon);
  }
  return stopped_waiting(transfer,
                         "peerdropd stopped answering for " + std::to_string(kRelocateFor.count() / 1000) + " s",
                         " once it runs again");
}

}  // namespace peerdrop::cli
