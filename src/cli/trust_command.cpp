#include "cli/trust_command.hpp"

#include <algorithm>

#include "cli/peer_resolver.hpp"
#include "cli/peers_view.hpp"
#include "cli/terminal_text.hpp"
#include "identity/peer_id.hpp"

namespace peerdrop::cli {

Outcome<> TrustCommand::run(const CommandContext& context) const {
  auto peers = context.daemon.peers();
  if (!peers) return peers.error();
  const auto settings = context.daemon.settings();
  if (!settings) return settings.error();
  auto ids = settings->auto_accept;
  if (!trust_) {
    // A trusted peer the daemon has forgotten can still be untrusted, by its id.
    for (const auto& id : ids) {
      if (std::none_of(peers->begin(), peers->end(), [&](const PeerRecord& p) { return p.id == id; })) {
        peers->push_back(PeerRecord{.id = id, .verified = true});  // it can be named by its id only
      }
    }
  }
  const auto peer = PeerResolver(sorted_for_display(std::move(*peers))).resolve(peer_);
  if (!peer) return peer.error();
  const auto who = (peer->name.empty() ? std::string("the peer") : printable(peer->name)) + " (" +
                   identity::short_id(peer->id) + ")";
  const auto found = std::find(ids.begin(), ids.end(), peer->id);
  if (trust_ == (found != ids.end())) {
    context.out << who << (trust_ ? " is already trusted" : " is not trusted") << "; nothing changed.\n";
    return {};
  }
  if (trust_) {
    ids.push_back(peer->id);
  } else {
    ids.erase(found);
  }
  const auto changed = context.daemon.set_trusted(ids);
  if (!changed) return changed.error();
  if (trust_) {
    context.out << "Trusting " << who << ": its files and connection requests are accepted without asking, and it "
                                         "may use this computer's relay.\n";
  } else {
    context.out << "No longer trusting " << who << ": you are asked before its files and connection requests are "
                                                   "accepted.\n";
  }
  return {};
}

}  // namespace peerdrop::cli
