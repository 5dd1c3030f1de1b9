#include "cli/status_command.hpp"

#include "cli/status_view.hpp"

namespace peerdrop::cli {

Outcome<> StatusCommand::run(const CommandContext& context) const {
  const auto& daemon = context.daemon;
  auto health = daemon.health();
  if (!health) return health.error();
  auto settings = daemon.settings();
  if (!settings) return settings.error();
  auto peers = daemon.peers();
  if (!peers) return peers.error();
  auto transfers = daemon.transfers();
  if (!transfers) return transfers.error();
  context.out << status_text(StatusFacts{.health = std::move(*health),
                                         .settings = std::move(*settings),
                                         .peers = std::move(*peers),
                                         .endpoint = daemon.endpoint(),
                                         .data_dir = daemon.data_dir(),
                                         .transfers = std::move(*transfers)});
  return {};
}

}  // namespace peerdrop::cli
