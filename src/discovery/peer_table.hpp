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

// What an observed packet (or a channel's coming and going) did to the table.
struct ObserveResult {
  boost::system::error_code error;  // own_packet, duplicate_identity, replayed, duplicate, table_full
  bool new_peer = false;
  bool new_instance = false;  // first packet of a (re)started daemon: answer it
  bool came_online = false;
  bool went_offline = false;  // goodbye
  bool changed = false;       // something persisted changed (name, proven address order, sources): persist it
  bool relay_changed = false; // it started or stopped offering its relay (not persisted)
  bool new_candidate = false; // an address to prove by a handshake
  std::string evicted;        // the unverified peer that made room for this one, if one did
};

// Every peer this daemon knows, keyed by peer id (never by IP), with replay
// protection and online/offline state driven by an injected clock.
// Addresses come in as candidates (what a signed packet came from) and
// become the peer's addresses only once a handshake there proved its key
// (proven()). Each peer carries when it was first seen (the clock) and its
// verification code with this daemon. The table is bounded: when it is
// full, an unverified peer (never proven, not added by hand) makes room, the
// one heard from longest ago first; verified peers are never pushed out.
class PeerTable {
 public:
  struct Limits {
    std::chrono::milliseconds offline_after{70'000};
    std::size_t max_peers = 512;
    std::size_t max_addresses = 8;
    std::size_t max_candidates = 4;
  };

  PeerTable(const core::Clock& clock, identity::PublicKey own_key, std::uint64_t own_instance, Limits limits);

  // A verified packet from `ip`. `source` says how it reached us.
  ObserveResult observe(const Announcement& a, const std::string& ip, PeerSource source);
  // A handshake at `address` proved the peer's key: the address is its own, first. True if that changed it.
  bool proven(const std::string& id, const PeerAddress& address);
  // Its daemon channel came up (the key is proven: verified) or went down.
  ObserveResult channel_changed(const std::string& id, bool up);
  // A candidate that never completed a handshake. An unverified peer left
  // with no candidate and no channel is removed: true then.
  bool drop_candidate(const std::string& id, const PeerAddress& address);
  // A peer from the database: known, verified, offline until heard.
  void restore(PeerInfo peer);
  bool add_source(const std::string& id, PeerSource source);
  // A UI here established a connection with the peer at `unix_ms`; false if the peer is unknown.
  bool set_last_connected(const std::string& id, std::int64_t unix_ms);
  // The user marked the peer verified (after comparing codes) or took that back.
  // False if the peer is unknown, or not verified by a handshake (it cannot be marked then).
  bool set_confirmed(const std::string& id, bool confirmed);
  bool forget(const std::string& id);
  // Marks peers not heard for `offline_after` (and without a channel) offline; returns their ids.
  std::vector<std::string> expire();

  std::optional<PeerInfo> find(const std::string& id) const;
  std::vector<PeerInfo> snapshot() const;
  std::size_t size() const { return peers_.size(); }
  std::size_t online_count() const;
  std::size_t max_size() const { return limits_.max_peers; }

 private:
  struct Entry {
    PeerInfo info;
    core::Clock::TimePoint last_heard{};
    bool heard = false;  // any packet since we know it
    std::uint64_t instance = 0;
    std::uint32_t counter = 0;
    std::uint64_t timestamp_ms = 0;
  };
  // Makes room for a new peer; the id of the peer that went, or nothing (the table stays full).
  std::optional<std::string> evict_one();

  const core::Clock& clock_;
  identity::PublicKey own_key_;
  std::uint64_t own_instance_;
  Limits limits_;
  std::map<std::string, Entry> peers_;
};

}  // namespace peerdrop::discovery
