#include "cli/status_view.hpp"

#include <algorithm>
#include <set>

#include "cli/terminal_text.hpp"
#include "cli/transfer_text.hpp"

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

// "K3F9XZ2A  to bob (ABCDEFG)  3 files, 21.0 MiB of 50.0 MiB (42%)"
std::string transfer_text(const TransferRecord& t) {
  auto out = short_tid(t.tid) + "  " + (t.incoming ? "from " : "to ") + peer_text(t) + "  " +
             files_text(t.file_count) + ", ";
  if (t.state == "offered") {
    out += size_text(t.total_bytes) + "  ";
    out += t.incoming ? "waits for your answer (peerdrop inbox)" : "waiting for " + peer_word(t) + " to accept";
  } else {
    out += size_text(t.done_bytes) + " of " + size_text(t.total_bytes) + " (" +
           std::to_string(percent_done(t.done_bytes, t.total_bytes)) + "%)";
  }
  if (!t.stalled.empty()) out += "; stalled: " + printable(t.stalled);
  return out;
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
  std::vector<const TransferRecord*> going;
  for (const auto& t : facts.transfers) {
    if (t.active()) going.push_back(&t);
  }
  line("transfers", going.empty() ? "none in progress" : std::to_string(going.size()) + " in progress");
  for (const auto* t : going) out += "    " + transfer_text(*t) + "\n";
  return out;
}

}  // namespace peerdrop::cli
