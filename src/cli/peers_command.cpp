#include "cli/peers_command.hpp"

#include <boost/json/serialize.hpp>
#include <set>

#include "cli/peers_view.hpp"

namespace peerdrop::cli {

Outcome<> PeersCommand::run(const CommandContext& context) const {
  auto peers = context.daemon.peers();
  if (!peers) return peers.error();
  const auto settings = context.daemon.settings();
  if (!settings) return settings.error();
  const std::set<std::string> trusted(settings->auto_accept.begin(), settings->auto_accept.end());
  const auto shown = sorted_for_display(std::move(*peers));
  if (json_) {
    context.out << boost::json::serialize(peers_json(shown, trusted)) << "\n";
  } else {
    context.out << peers_table(shown, trusted);
  }
  return {};
}

}  // namespace peerdrop::cli
