#include "cli/peer_resolver.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>

#include "cli/terminal_text.hpp"
#include "identity/peer_id.hpp"

namespace peerdrop::cli {
namespace {

constexpr std::size_t kMaxListed = 20;

bool is_base32(char c) { return (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7'); }

char upper(char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); }

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return upper(x) == upper(y);
         });
}

// "  kitchen  MFRGGZD  online" for each peer, at most kMaxListed, and how many more there are.
std::string listing(const std::vector<const PeerRecord*>& peers) {
  std::string out;
  for (std::size_t i = 0; i < peers.size() && i < kMaxListed; ++i) {
    const auto& peer = *peers[i];
    out += "\n  " + (peer.name.empty() ? std::string("(no name)") : printable(peer.name)) + "  " +
           identity::short_id(peer.id) + "  " + (peer.online ? "online" : "offline");
  }
  if (peers.size() > kMaxListed) out += "\n  and " + std::to_string(peers.size() - kMaxListed) + " more";
  return out;
}

std::string quoted(std::string_view query) { return "\"" + printable(query) + "\""; }

}  // namespace

std::vector<const PeerRecord*> PeerResolver::matches(std::string_view query, bool verified) const {
  std::string prefix;
  if (query.size() >= kMinIdPrefix) {
    std::transform(query.begin(), query.end(), std::back_inserter(prefix), upper);
    if (!std::all_of(prefix.begin(), prefix.end(), is_base32)) prefix.clear();
  }
  std::vector<const PeerRecord*> found;
  for (const auto& peer : peers_) {
    if (peer.verified != verified) continue;
    if (peer.name == query || (!prefix.empty() && peer.id.starts_with(prefix))) found.push_back(&peer);
  }
  if (found.empty()) {
    for (const auto& peer : peers_) {
      if (peer.verified == verified && equal_ignoring_case(peer.name, query)) found.push_back(&peer);
    }
  }
  return found;
}

Outcome<PeerRecord> PeerResolver::resolve(std::string_view query) const {
  if (query.empty()) return usage("name a peer: its name, or the first 4 or more characters of its id");
  const auto found = matches(query, true);
  if (found.size() == 1) return *found.front();
  if (found.size() > 1) {
    return usage(quoted(query) + " could be " + std::to_string(found.size()) +
                 " peers; name one by the start of its id (at least 4 characters):" + listing(found));
  }
  if (!matches(query, false).empty()) {
    return failed(quoted(query) + " has not proved its key yet (peerdrop peers shows it as unverified); try again "
                                  "once its daemon answered a handshake");
  }
  std::string message = "no peer is called " + quoted(query);
  message += query.size() >= kMinIdPrefix ? " or has an id that starts with it"
                                          : " (an id prefix needs at least 4 characters)";
  std::vector<const PeerRecord*> known;
  for (const auto& peer : peers_) {
    if (peer.verified) known.push_back(&peer);
  }
  if (known.empty()) return usage(message + "; no peers are known yet (peerdrop peers lists them once found)");
  return usage(message + "; the known peers are:" + listing(known));
}

}  // namespace peerdrop::cli
