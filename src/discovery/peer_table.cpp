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
      result.error = core::make_error_code(Errc::table_full);
      return result;
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
  if (p.name != a.name) {
    p.name = a.name;
    result.changed = true;
  }
  if (p.discovery_port != a.discovery_port) {
    p.discovery_port = a.discovery_port;
    result.changed = true;
  }
  const PeerAddress address{ip, a.http_port};
  const auto existing = std::find(p.addresses.begin(), p.addresses.end(), address);
  if (p.addresses.empty() || existing != p.addresses.begin()) {
    if (existing != p.addresses.end()) p.addresses.erase(existing);
    p.addresses.insert(p.addresses.begin(), address);
    if (p.addresses.size() > limits_.max_addresses) p.addresses.resize(limits_.max_addresses);
    result.changed = true;
  }
  const unsigned before = p.sources;
  p.sources |= static_cast<unsigned>(source);
  result.changed |= p.sources != before;

  // Every signed packet says whether its relay runs now; a goodbye ends the offer.
  const bool relay = a.kind != AnnouncementKind::goodbye && a.offers_relay();
  result.relay_changed = p.relay != relay;
  p.relay = relay;

  if (a.kind == AnnouncementKind::goodbye) {
    result.went_offline = p.online;
    p.online = false;
  } else if (!p.online) {
    p.online = true;
    result.came_online = true;
  }
  result.changed |= result.new_peer;
  return result;
}

void PeerTable::restore(PeerInfo peer) {
  if (peers_.size() >= limits_.max_peers || peers_.count(peer.id)) return;
  peer.online = false;
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
    if (e.info.online && now - e.last_heard > limits_.offline_after) {
      e.info.online = false;
      e.info.relay = false;  // an offline peer's relay is of no use; its next packet says again
      gone.push_back(id);
    }
  }
  return gone;
}

std::vector<PeerInfo> PeerTable::quiet_peers(std::chrono::milliseconds quiet_for) const {
  std::vector<PeerInfo> out;
  const auto now = clock_.now();
  for (const auto& [id, e] : peers_) {
    if (!e.heard || now - e.last_heard >= quiet_for) out.push_back(e.info);
  }
  return out;
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
