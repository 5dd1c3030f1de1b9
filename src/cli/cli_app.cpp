#include "cli/cli_app.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "cli/answer_command.hpp"
#include "cli/browser_launcher.hpp"
#include "cli/cancel_command.hpp"
#include "cli/daemon_locator.hpp"
#include "cli/inbox_command.hpp"
#include "cli/interrupt_flag.hpp"
#include "cli/msg_command.hpp"
#include "cli/open_command.hpp"
#include "cli/peers_command.hpp"
#include "cli/send_command.hpp"
#include "cli/status_command.hpp"
#include "cli/trust_command.hpp"
#include "control/data_dir.hpp"
#include "core/clock.hpp"

namespace peerdrop::cli {
namespace {

int exit_code(ExitCode code) { return static_cast<int>(code); }

}  // namespace

int CliApp::run(int argc, const char* const* argv) {
  CLI::App app("peerdrop: PeerDrop from a terminal. Talks to this machine's peerdropd (the one of --data-dir) "
               "over its control API.",
               "peerdrop");
  app.set_version_flag("--version", PEERDROP_VERSION);
  app.require_subcommand(1);
  app.fallthrough();  // --data-dir after the command too
  std::filesystem::path data_dir = control::default_data_dir();
  app.add_option("--data-dir", data_dir, "The data dir of the peerdropd to talk to (default: peerdropd's own)")
      ->type_name("DIR")
      ->capture_default_str();

  // Each command: its subcommand, and what runs when it was chosen.
  struct Command {
    CLI::App* subcommand;
    std::function<Outcome<>(const CommandContext&)> run;
  };
  std::vector<Command> commands;

  const core::SystemClock clock;
  auto* status = app.add_subcommand("status", "This machine's PeerDrop: its name and id, its daemon, peers online, "
                                              "the relay, transfers in progress");
  commands.push_back({status, [](const CommandContext& c) { return StatusCommand().run(c); }});

  bool json = false;
  auto* peers = app.add_subcommand("peers", "The peers the daemon knows: name, id, online or not, addresses");
  peers->add_flag("--json", json, "Print JSON (its format is stable, see docs/protocol.md)");
  commands.push_back({peers, [&json](const CommandContext& c) { return PeersCommand(json).run(c); }});

  std::string trust_peer;
  auto* trust = app.add_subcommand(
      "trust", "Always accept files and connection requests from PEER (it may also use this computer's relay)");
  trust->add_option("PEER", trust_peer, "A peer's name, or the first 4 or more characters of its id")->required();
  commands.push_back({trust, [&trust_peer](const CommandContext& c) { return TrustCommand(trust_peer, true).run(c); }});

  std::string untrust_peer;
  auto* untrust = app.add_subcommand("untrust", "Ask again before accepting files and connection requests from PEER");
  untrust->add_option("PEER", untrust_peer, "A peer's name, or the first 4 or more characters of its id")
      ->required();
  commands.push_back(
      {untrust, [&untrust_peer](const CommandContext& c) { return TrustCommand(untrust_peer, false).run(c); }});

  SendRequest send_request;
  bool no_wait = false;
  auto* send = app.add_subcommand("send", "Send files and folders to PEER and wait until its daemon verified them");
  send->add_option("PATH", send_request.paths, "Files and folders to send")->required();
  send->add_option("--to", send_request.peer, "A peer's name, or the first 4 or more characters of its id")
      ->type_name("PEER")
      ->required();
  send->add_flag("--no-wait", no_wait,
                 "Print the transfer's id and leave it to the daemon (peerdrop status follows it)");
  commands.push_back({send, [&](const CommandContext& c) {
                        const InterruptFlag interrupt;  // Ctrl-C ends the waiting, not the transfer
                        send_request.wait = !no_wait;
                        SendSurroundings around{
                            .clock = clock,
                            .sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); },
                            .relocate = [&data_dir]() -> Outcome<DaemonApi> {
                              auto client = DaemonLocator(data_dir, kTimeout).locate();
                              if (!client) return client.error();
                              return DaemonApi(std::move(*client), data_dir);
                            },
                            .interrupted = [&interrupt] { return interrupt.raised(); },
                            .terminal = ::isatty(STDERR_FILENO) == 1};
                        return SendCommand(send_request, std::move(around)).run(c);
                      }});

  bool inbox_json = false;
  auto* inbox = app.add_subcommand("inbox", "What waits here for an answer: offers of files");
  inbox->add_flag("--json", inbox_json, "Print JSON (its format is stable, see docs/protocol.md)");
  commands.push_back(
      {inbox, [&inbox_json, &clock](const CommandContext& c) { return InboxCommand(inbox_json, clock).run(c); }});

  std::string accept_offer;
  bool accept_all = false;
  auto* accept = app.add_subcommand("accept", "Accept an offer of files (peerdrop inbox lists them), or --all");
  auto* accept_id = accept->add_option("OFFER", accept_offer, "An offer's id, or the first 4 or more characters of it");
  accept->add_flag("--all", accept_all, "Accept every offer that waits")->excludes(accept_id);
  accept->callback([&accept_offer, &accept_all] {
    if (accept_offer.empty() && !accept_all) throw CLI::RequiredError("OFFER (peerdrop inbox lists them) or --all");
  });
  commands.push_back({accept, [&accept_offer, &accept_all](const CommandContext& c) {
                        return AnswerCommand(accept_offer, accept_all, true).run(c);
                      }});

  std::string decline_offer;
  auto* decline = app.add_subcommand("decline", "Decline an offer of files: nothing is written, the sender is told");
  decline->add_option("OFFER", decline_offer, "An offer's id, or the first 4 or more characters of it")->required();
  commands.push_back({decline, [&decline_offer](const CommandContext& c) {
                        return AnswerCommand(decline_offer, false, false).run(c);
                      }});

  std::string cancel_transfer;
  auto* cancel = app.add_subcommand("cancel", "Stop a transfer, to or from this machine; the other side is told");
  cancel->add_option("TRANSFER", cancel_transfer, "A transfer's id, or the first 4 or more characters of it")
      ->required();
  commands.push_back(
      {cancel, [&cancel_transfer](const CommandContext& c) { return CancelCommand(cancel_transfer).run(c); }});

  std::string msg_peer;
  std::string msg_text;
  double msg_wait_seconds = 5;
  auto* msg = app.add_subcommand("msg", "Send TEXT to PEER; waits until PEER's daemon has it, or says it is queued");
  msg->add_option("PEER", msg_peer, "A peer's name, or the first 4 or more characters of its id")->required();
  msg->add_option("TEXT", msg_text, "The message (one argument: quote it)")->required();
  msg->add_option("--wait", msg_wait_seconds, "How long to wait for delivery before saying it is queued (seconds)")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  commands.push_back({msg, [&](const CommandContext& c) {
                        const auto wait = std::chrono::milliseconds(static_cast<std::int64_t>(msg_wait_seconds * 1000));
                        return MsgCommand(msg_peer, msg_text, wait, [](std::chrono::milliseconds d) {
                                 std::this_thread::sleep_for(d);
                               }).run(c);
                      }});

  const BrowserLauncher launcher;
  auto* open = app.add_subcommand("open", "Print the web UI's link (it carries the daemon's key) and open it in the "
                                          "default browser when there is a display");
  commands.push_back({open, [&launcher](const CommandContext& c) { return OpenCommand(launcher).run(c); }});

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out_, err_);
    return code == 0 ? 0 : exit_code(ExitCode::usage);
  }

  const auto chosen = std::find_if(commands.begin(), commands.end(),
                                   [](const Command& command) { return command.subcommand->parsed(); });
  if (chosen == commands.end()) return exit_code(ExitCode::usage);  // require_subcommand(1) lets none through
  const auto report = [this](const Failure& failure) {
    err_ << "peerdrop: " << failure.message << "\n";
    return exit_code(failure.code);
  };
  auto client = DaemonLocator(data_dir, kTimeout).locate();
  if (!client) return report(client.error());
  const DaemonApi daemon(std::move(*client), data_dir);
  const auto done = chosen->run(CommandContext{daemon, out_, err_});
  return done ? exit_code(ExitCode::done) : report(done.error());
}

}  // namespace peerdrop::cli
