#include "cli/msg_command.hpp"

#include "cli/peer_resolver.hpp"
#include "cli/peers_view.hpp"
#include "cli/terminal_text.hpp"
#include "identity/peer_id.hpp"

namespace peerdrop::cli {

MsgCommand::MsgCommand(std::string peer, std::string text, std::chrono::milliseconds wait, Sleep sleep)
    : peer_(std::move(peer)), text_(std::move(text)), wait_(wait), sleep_(std::move(sleep)) {}

Outcome<> MsgCommand::run(const CommandContext& context) const {
  if (text_.empty()) return usage("say what to send: peerdrop msg PEER TEXT");
  auto peers = context.daemon.peers();
  if (!peers) return peers.error();
  const auto peer = PeerResolver(sorted_for_display(std::move(*peers))).resolve(peer_);
  if (!peer) return peer.error();
  const auto who = (peer->name.empty() ? std::string("the peer") : printable(peer->name)) + " (" +
                   identity::short_id(peer->id) + ")";
  auto message = context.daemon.send_message(peer->id, text_);
  if (!message) return message.error();
  for (auto waited = std::chrono::milliseconds::zero(); message->state == "queued" && waited < wait_;
       waited += kPollInterval) {
    sleep_(kPollInterval);
    auto now = context.daemon.message(message->id);
    if (!now) return now.error();
    message = std::move(now);
  }
  if (message->state == "delivered") {
    context.out << "Delivered to " << who << ".\n";
  } else if (message->state == "expired") {
    return failed("the message to " + who + " expired undelivered");
  } else {
    context.out << "Queued for " << who << ": it is delivered when " << who
                << "'s daemon is reachable (peerdrop keeps trying for up to a week by default).\n";
  }
  return {};
}

}  // namespace peerdrop::cli
