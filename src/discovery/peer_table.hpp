#pragma once

#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "discovery/announcement.hpp"
#include "discovery/peer_info.hpp"

namespace peerdrop::discovery {

// What an observed packet did to the table.
struct ObserveResult {
  boost::system::error_code error;  // own_packet, duplicate_identity, replayed, duplicate, table_full
  bool new_peer = false;
  bool new_instance = false;  // first packet of a (re)started daemon: answer it
  bool came_online = false;
  bool went_offline = false;  // goodbye
  bool changed = false;       // name, address or sources changed: persist it
  bool relay_changed = false; // it started or stopped offering its relay (not persisted)
};

// Every peer this daemon knows, keyed by peer id (never by IP), with replay
// protection and online/offline state driven by an injected clock.
class PeerTable {
 public:
  struct Limits {
    std::chrono::milliseconds offline_after{70'000};
    std::size_t max_peers = 512;
    std::size_t max_addresses = 8;
  };

  PeerTable(const core::Clock& clock, identity::PublicKey own_key, std::uint64_t own_instance, Limits limits);

  // A verified packet from `ip`. `source` says how it reached us.
  ObserveResult observe(const Announcement& a, const std::string& ip, PeerSource source);
  // A peer from the database: known, offline until heard.
  void restore(PeerInfo peer);
  bool add_source(const std::string& id, PeerSource source);
  // A UI here established a connection with the peer at `unix_ms`; false if the peer is unknown.
  bool set_last_connected(const std::string& id, std::int64_t unix_ms);
  bool forget(const std::string& id);
  // Marks peers not heard for `offline_after` offline; returns their ids.
  std::vector<std::string> expire();
  // Peers not heard for at least `quiet_for` (online or not), to probe over HTTP.
  std::vector<PeerInfo> quiet_peers(std::chrono::milliseconds quiet_for) const;

  std::optional<PeerInfo> find(const std::string& id) const;
  std::vector<PeerInfo> snapshot() const;
  std::size_t size() const { return peers_.size(); }
  std::size_t online_count() const;

 private:
  struct Entry {
    PeerInfo info;
    core::Clock::TimePoint last_heard{};
    bool heard = false;  // any packet since we know it
    std::uint64_t instance = 0;
    std::uint32_t counter = 0;
    std::uint64_t timestamp_ms = 0;
  };

  const core::Clock& clock_;
  identity::PublicKey own_key_;
  std::uint64_t own_instance_;
  Limits limits_;
  std::map<std::string, Entry> peers_;
};

}  // namespace peerdrop::discovery
