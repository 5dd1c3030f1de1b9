#include "discovery/peer_table.hpp"

#include <algorithm>

#include "core/errc.hpp"
#include "identity/peer_id.hpp"

namespace peerdrop::discovery {

std::string PeerAddress::to_string() const {
  return (ip.find(':') != std::string::npos ? "[" + ip + "]" : ip) + ":" + std::to_string(port);
}

std::vector<std::string> source_names(unsigned sources) {
  static constexpr std::pair<PeerSource, const char*> kNames[] = {
      {PeerSource::broadcast, "broadcast"}, {PeerSource::scan, "scan"},           {PeerSource::manual, "manual"},
      {PeerSource::inbound, "inbound"},     {PeerSource::persisted, "persisted"},
  };
  std::vector<std::string> out;
  for (const auto& [bit, name] : kNames) {
    if (sources & static_cast<unsigned>(bit)) out.emplace_back(name);
  }
  return out;
}

PeerTable::PeerTable(const core::Clock& clock, identity::PublicKey own_key, std::uint64_t own_instance,
                     Limits limits)
    : clock_(clock), own_key_(own_key), own_instance_(own_instance), limits_(limits) {}

ObserveResult PeerTable::observe(const Announcement& a, const std::string& ip, PeerSource source) {
  using core::Errc;
  ObserveResult result;
  if (a.public_key == own_key_) {
    result.error = core::make_error_code(a.instance == own_instance_ ? Errc::own_packet : Errc::duplicate_identity);
    return result;
  }
  const auto id = identity::derive_peer_id(a.public_key);
  auto it = peers_.find(id);
  if (it == peers_.end()) {
    if (peers_.size() >= limits_.max_peers) {
      auto evicted = evict_one();
      if (!evicted) {
        result.error = core::make_error_code(Errc::table_full);
        return result;
      }
      result.evicted = std::move(*evicted);
    }
    Entry entry;
    entry.info.id = id;
    entry.info.public_key = a.public_key;
    it = peers_.emplace(id, std::move(entry)).first;
    result.new_peer = true;
  }
  Entry& e = it->second;

  // Replay protection: within an instance the counter must rise; a new
  // instance must carry a later timestamp than anything accepted before.
  if (e.heard || e.instance != 0) {
    if (a.instance == e.instance) {
      if (a.counter == e.counter) {
        result.error = core::make_error_code(Errc::duplicate);
        return result;
      }
      if (a.counter < e.counter) {
        result.error = core::make_error_code(Errc::replayed);
        return result;
      }
    } else if (a.timestamp_ms <= e.timestamp_ms) {
      result.error = core::make_error_code(Errc::replayed);
      return result;
    }
  }
  result.new_instance = a.instance != e.instance;
  e.instance = a.instance;
  e.counter = a.counter;
  e.timestamp_ms = a.timestamp_ms;
  e.last_heard = clock_.now();
  e.heard = true;

  PeerInfo& p = e.info;
  p.last_seen_ms = clock_.unix_ms();
  p.outdated = a.version < Announcement::kVersion;
  if (p.name != a.name) {
    p.name = a.name;
    result.changed = true;
  }
  if (p.discovery_port != a.discovery_port) {
    p.discovery_port = a.discovery_port;
    result.changed = true;
  }
  // The packet's source is an address to prove, unless a handshake there did already.
  const PeerAddress address{ip, a.http_port};
  const auto proven_at = std::find(p.addresses.begin(), p.addresses.end(), address);
  if (proven_at != p.addresses.end()) {
    if (proven_at != p.addresses.begin()) {
      std::rotate(p.addresses.begin(), proven_at, proven_at + 1);
      result.changed = true;
    }
  } else {
    const auto existing = std::find(p.candidates.begin(), p.candidates.end(), address);
    if (existing != p.candidates.end()) p.candidates.erase(existing);
    result.new_candidate = existing == p.candidates.end();
    p.candidates.insert(p.candidates.begin(), address);
    if (p.candidates.size() > limits_.max_candidates) p.candidates.resize(limits_.max_candidates);
  }
  const unsigned before = p.sources;
  p.sources |= static_cast<unsigned>(source);
  result.changed |= p.sources != before;

  // Every signed packet says whether its relay runs now; a goodbye ends the offer.
  const bool relay = a.kind != AnnouncementKind::goodbye && a.offers_relay();
  result.relay_changed = p.relay != relay;
  p.relay = relay;

  if (a.kind == AnnouncementKind::goodbye) {
    // It is leaving: offline now, even while its channel has not closed yet.
    result.went_offline = p.online;
    p.online = false;
  } else if (!p.online) {
    p.online = true;
    result.came_online = true;
  }
  result.changed |= result.new_peer;
  return result;
}

bool PeerTable::proven(const std::string& id, const PeerAddress& address) {
  const auto it = peers_.find(id);
  if (it == peers_.end()) return false;
  auto& p = it->second.info;
  std::erase(p.candidates, address);
  const bool was_verified = std::exchange(p.verified, true);
  const auto existing = std::find(p.addresses.begin(), p.addresses.end(), address);
  if (existing == p.addresses.begin() && existing != p.addresses.end()) return !was_verified;
  if (existing != p.addresses.end()) p.addresses.erase(existing);
  p.addresses.insert(p.addresses.begin(), address);
  if (p.addresses.size() > limits_.max_addresses) p.addresses.resize(limits_.max_addresses);
  return true;
}

ObserveResult PeerTable::channel_changed(const std::string& id, bool up) {
  ObserveResult result;
  const auto it = peers_.find(id);
  if (it == peers_.end()) return result;
  auto& e = it->second;
  auto& p = e.info;
  if (p.channel == up) return result;
  p.channel = up;
  e.last_heard = clock_.now();  // down: offline after offline_after from now, unless heard again
  if (up) {
    // Online comes with its hello, the first frame of every channel: a daemon
    // that is stopping completes a TLS 1.3 handshake (the client is done
    // first) and closes it without one.
    result.changed = !std::exchange(p.verified, true);
    p.last_seen_ms = clock_.unix_ms();
  }
  return result;
}

bool PeerTable::drop_candidate(const std::string& id, const PeerAddress& address) {
  const auto it = peers_.find(id);
  if (it == peers_.end()) return false;
  auto& p = it->second.info;
  std::erase(p.candidates, address);
  if (p.verified || p.channel || !p.candidates.empty() || p.has_source(PeerSource::manual)) return false;
  peers_.erase(it);
  return true;
}

std::optional<std::string> PeerTable::evict_one() {
  auto victim = peers_.end();
  for (auto it = peers_.begin(); it != peers_.end(); ++it) {
    const auto& p = it->second.info;
    if (p.verified || p.channel || p.has_source(PeerSource::manual)) continue;
    // Offline before online, then the one heard from longest ago.
    if (victim == peers_.end() || (!p.online && victim->second.info.online) ||
        (p.online == victim->second.info.online && it->second.last_heard < victim->second.last_heard)) {
      victim = it;
    }
  }
  if (victim == peers_.end()) return std::nullopt;
  auto id = victim->first;
  peers_.erase(victim);
  return id;
}

void PeerTable::restore(PeerInfo peer) {
  if (peers_.size() >= limits_.max_peers || peers_.count(peer.id)) return;
  peer.online = false;
  peer.channel = false;
  peer.verified = true;
  peer.sources |= static_cast<unsigned>(PeerSource::persisted);
  auto id = peer.id;
  Entry entry;
  entry.info = std::move(peer);
  peers_.emplace(std::move(id), std::move(entry));
}

bool PeerTable::add_source(const std::string& id, PeerSource source) {
  const auto it = peers_.find(id);
  if (it == peers_.end()) return false;
  const unsigned before = it->second.info.sources;
  it->second.info.sources |= static_cast<unsigned>(source);
  return it->second.info.sources != before;
}

bool PeerTable::set_last_connected(const std::string& id, std::int64_t unix_ms) {
  const auto it = peers_.find(id);
  if (it == peers_.end()) return false;
  it->second.info.last_connected_ms = unix_ms;
  return true;
}

bool PeerTable::forget(const std::string& id) { return peers_.erase(id) > 0; }

std::vector<std::string> PeerTable::expire() {
  std::vector<std::string> gone;
  const auto now = clock_.now();
  for (auto& [id, e] : peers_) {
    if (e.info.online && !e.info.channel && now - e.last_heard > limits_.offline_after) {
      e.info.online = false;
      e.info.relay = false;  // an offline peer's relay is of no use; its next packet says again
      gone.push_back(id);
    }
  }
  return gone;
}

std::optional<PeerInfo> PeerTable::find(const std::string& id) const {
  const auto it = peers_.find(id);
  if (it == peers_.end()) return std::nullopt;
  return it->second.info;
}

std::vector<PeerInfo> PeerTable::snapshot() const {
  std::vector<PeerInfo> out;
  out.reserve(peers_.size());
  for (const auto& [id, e] : peers_) out.push_back(e.info);
  return out;
}

std::size_t PeerTable::online_count() const {
  return static_cast<std::size_t>(
      std::count_if(peers_.begin(), peers_.end(), [](const auto& kv) { return kv.second.info.online; }));
}

}  // namespace peerdrop::discovery
