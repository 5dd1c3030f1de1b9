#include "cli/inbox_command.hpp"

#include <boost/json/serialize.hpp>

#include "cli/inbox_view.hpp"

namespace peerdrop::cli {

Outcome<> InboxCommand::run(const CommandContext& context) const {
  auto offers = context.daemon.offers();
  if (!offers) return offers.error();
  auto messages = context.daemon.unread_messages();
  if (!messages) return messages.error();
  InboxFacts facts{.offers = std::move(*offers), .now_ms = clock_.unix_ms(), .messages = std::move(*messages)};
  if (!facts.messages.empty()) {
    auto peers = context.daemon.peers();
    if (!peers) return peers.error();
    for (const auto& peer : *peers) facts.peer_names[peer.id] = peer.name;
  }
  if (json_) {
    context.out << boost::json::serialize(inbox_json(facts)) << "\n";
  } else {
    context.out << inbox_text(facts);
  }
  return {};
}

}  // namespace peerdrop::cli
