#include "cli/peers_view.hpp"

#include <boost/json/array.hpp>
#include <algorithm>
#include <array>
#include <tuple>

#include "cli/terminal_text.hpp"
#include "identity/peer_id.hpp"

namespace peerdrop::cli {
namespace {

std::string joined(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : std::string(separator)) + item;
  return out;
}

}  // namespace

std::vector<PeerRecord> sorted_for_display(std::vector<PeerRecord> peers) {
  std::sort(peers.begin(), peers.end(), [](const PeerRecord& a, const PeerRecord& b) {
    return std::tuple(!a.online, a.name, a.id) < std::tuple(!b.online, b.name, b.id);
  });
  return peers;
}

std::string peers_table(const std::vector<PeerRecord>& peers, const std::set<std::string>& trusted) {
  if (peers.empty()) {
    return "No peers known yet: PeerDrop daemons on this network appear here once they announce themselves.\n";
  }
  using Row = std::array<std::string, 5>;
  std::vector<Row> rows{{"NAME", "ID", "STATE", "ADDRESSES", "NOTES"}};
  for (const auto& peer : peers) {
    std::vector<std::string> notes;
    if (trusted.contains(peer.id)) notes.emplace_back("trusted");
    if (!peer.verified) notes.emplace_back("unverified");
    if (peer.outdated) notes.emplace_back("outdated");
    rows.push_back(Row{printable(peer.name), identity::short_id(peer.id), peer.online ? "online" : "offline",
                       peer.addresses.empty() ? "-" : joined(peer.addresses, ","), joined(notes, ",")});
  }
  std::array<std::size_t, 5> widths{};
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], columns(row[i]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - columns(row[i]) + 2, ' ');
    }
    while (line.ends_with(' ')) line.pop_back();
    out += line + "\n";
  }
  return out;
}

boost::json::object peers_json(const std::vector<PeerRecord>& peers, const std::set<std::string>& trusted) {
  boost::json::array list;
  for (const auto& peer : peers) {
    boost::json::array addresses;
    for (const auto& address : peer.addresses) addresses.emplace_back(address);
    list.emplace_back(boost::json::object{{"id", peer.id},
                                          {"name", peer.name},
                                          {"online", peer.online},
                                          {"verified", peer.verified},
                                          {"outdated", peer.outdated},
                                          {"trusted", trusted.contains(peer.id)},
                                          {"addresses", std::move(addresses)},
                                          {"lastSeen", peer.last_seen_ms}});
  }
  return boost::json::object{{"peers", std::move(list)}};
}

}  // namespace peerdrop::cli
