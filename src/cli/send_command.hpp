#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "cli/command_context.hpp"
#include "cli/failure.hpp"
#include "cli/transfer_record.hpp"
#include "core/clock.hpp"

namespace peerdrop::cli {

// What `peerdrop send` was asked.
struct SendRequest {
  std::vector<std::string> paths;  // files and folders, as typed (relative ones are made absolute)
  std::string peer;                // a name or the start of an id (PeerResolver)
  bool wait = true;                // false: --no-wait
};

// What `peerdrop send` needs besides its daemon, so that tests can run it
// with fake time, no terminal and a daemon that goes away.
struct SendSurroundings {
  const core::Clock& clock;
  std::function<void(std::chrono::milliseconds)> sleep;  // waits (a fake one advances the fake clock)
  // The daemon of the same data dir again (DaemonLocator), after it stopped answering.
  std::function<Outcome<DaemonApi>()> relocate;
  std::function<bool()> interrupted;  // Ctrl-C was pressed
  bool terminal = false;              // `err` is a terminal: progress on one line, redrawn
};

// `peerdrop send PATH... --to PEER [--no-wait]`: offers files and folders to
// a peer through this machine's daemon, which reads them itself, and waits
// until the peer's daemon verified every file (or says why not). The
// transfer belongs to the daemon: Ctrl-C, or a daemon that stays away longer
// than kRelocateFor, ends only the waiting, with exit 1 and a line saying
// that it goes on and how to follow or cancel it.
class SendCommand {
 public:
  static constexpr std::chrono::milliseconds kPollInterval{200};
  static constexpr std::chrono::milliseconds kRelocateFor{30'000};
  static constexpr std::chrono::milliseconds kRelocateInterval{1'000};

  SendCommand(SendRequest request, SendSurroundings surroundings)
      : request_(std::move(request)), surroundings_(std::move(surroundings)) {}

  Outcome<> run(const CommandContext& context) const;

  // Why a transfer that ended other than done did, for the sender: "bob declined: nothing was sent".
  static std::string ending(const TransferRecord& transfer);

 private:
  // Polls the transfer until it ends, showing how it goes.
  Outcome<> follow(const CommandContext& context, const TransferRecord& offered) const;
  // The daemon again after it stopped answering, or why waiting ends.
  Outcome<DaemonApi> reconnect(const CommandContext& context, const TransferRecord& transfer) const;
  // Exit 1 for a wait that ends while the transfer goes on ("…goes on in the background" + `when`).
  Failure stopped_waiting(const TransferRecord& transfer, const std::string& why, const std::string& when = "") const;

  SendRequest request_;
  SendSurroundings surroundings_;
};

}  // namespace peerdrop::cli
