#include "cli/status_view.hpp"

#include <algorithm>
#include <set>

#include "cli/terminal_text.hpp"

namespace peerdrop::cli {
namespace {

std::string relay_text(const DaemonHealth& health) {
  if (!health.relay_enabled) {
    return health.relay_state == "off" ? "off" : "off (" + printable(health.relay_state) + ")";
  }
  auto text = "on: " + printable(health.relay_state);
  if (health.relay_port) text += ", port " + std::to_string(*health.relay_port);
  return text;
}

std::string peers_text(const std::vector<PeerRecord>& peers, const std::vector<std::string>& trusted_ids) {
  const auto online = std::count_if(peers.begin(), peers.end(), [](const PeerRecord& p) { return p.online; });
  const std::set<std::string> trusted(trusted_ids.begin(), trusted_ids.end());
  const auto trusted_known =
      std::count_if(peers.begin(), peers.end(), [&](const PeerRecord& p) { return trusted.contains(p.id); });
  return std::to_string(online) + " online, " + std::to_string(peers.size()) + " known, " +
         std::to_string(trusted_known) + " trusted";
}

}  // namespace

std::string status_text(const StatusFacts& facts) {
  const auto& health = facts.health;
  std::string out = "PeerDrop on this machine: " + printable(health.name) + "\n";
  const auto line = [&out](std::string_view label, const std::string& value) {
    out += "  " + std::string(label) + std::string(11 - label.size(), ' ') + value + "\n";
  };
  line("id", printable(health.id));
  line("daemon", "peerdropd " + printable(health.version) + " (pid " + std::to_string(facts.endpoint.pid) + ") at " +
                     facts.endpoint.url());
  line("data dir", facts.data_dir.string());
  line("peers", peers_text(facts.peers, facts.settings.auto_accept));
  line("relay", relay_text(health));
  line("downloads", printable(facts.settings.download_dir));
  return out;
}

}  // namespace peerdrop::cli
