#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "channel/peer_channels.hpp"
#include "core/clock.hpp"
#include "core/logging.hpp"
#include "lane/lane_config.hpp"
#include "lane/lane_data_frame.hpp"
#include "lane/lane_message.hpp"
#include "lane/lane_store.hpp"
#include "lane/lane_transfer.hpp"
#include "transfer/received_file.hpp"
#include "transfer/transfer_service.hpp"

namespace peerdrop::lane {

// The receiving side of the transfer lane (docs/protocol.md, "Transfer
// lane"). An offer waits (persisted) until it is accepted — at once when the
// sender is trusted, else by whoever answers first: a tab, the command line,
// a desktop notification — or declined, or it expires. An accepted transfer
// writes through the TransferService like a tab does (sanitized names,
// partial files, ordered writes, SHA-256 verified, no-clobber), under a tab
// number of its own. Each time the sender (re)offers it — a new channel, a
// restart on either side — this side asks for what it lacks from its durable
// offsets (a new generation), so a cut costs at most what was not yet
// checkpointed. Bytes flow under credit: the sender may be window_bytes
// ahead of what was written. A full disk stops the credit, keeps the
// partials, and asks again every disk_retry_interval.
class LaneReceiver {
 public:
  using Tab = transfer::TransferService::Tab;
  struct Hooks {
    std::function<bool(const std::string& peer)> trusted;     // "Always accept files from X"
    std::function<void(const transfer::ReceivedFile&)> landed;  // a file landed (the received files list)
    std::function<void()> changed;                            // a transfer's state changed
    std::function<void(const LaneTransfer&)> waiting;         // an offer waits for an answer
    std::function<void(const LaneTransfer&)> settled;         // an offer that waited was answered or expired
    std::function<void()> wrote;                              // bytes went to disk: checkpoints are due
  };
  // Progress of one accepted transfer.
  struct Progress {
    std::uint64_t received = 0;  // bytes of landed files plus what arrived of the others
    std::size_t files_landed = 0;
    std::string stalled;  // why bytes do not flow now (the disk is full), if they do not
  };
  // Tabs from here up are the lane's (UiHub's count from 1).
  static constexpr Tab kFirstTab = Tab{1} << 62;

  LaneReceiver(const LaneConfig& config, const core::Clock& clock,
               channel::PeerChannels& channels, transfer::TransferService& service, LaneStore& store, Hooks hooks,
               core::Logger logger);

  // The incoming transfers the store kept (at start).
  void load(std::vector<LaneTransfer> transfers);
  void message(const std::string& peer, const LaneMessage& message);
  void data(const std::string& peer, const DataFrame& frame);

  // An offer that waits: accept or decline it. `by` says who (tab, command line, notification).
  // Errors: unknown_transfer (no such offer waits), storage_failed.
  boost::system::error_code accept(const std::string& peer, const std::string& tid, std::string by);
  boost::system::error_code decline(const std::string& peer, const std::string& tid, std::string by);
  // Cancels an offered or accepted transfer: the sender is told, partial files are removed.
  boost::system::error_code cancel(const std::string& peer, const std::string& tid);

  // Expires offers and retries a full disk; returns when it is next due.
  void tick();

  std::vector<LaneTransfer> transfers() const;
  std::optional<LaneTransfer> find(const std::string& peer, const std::string& tid) const;
  Progress progress(const std::string& peer, const std::string& tid) const;
  // Names of the landed files, by index.
  std::map<std::uint32_t, std::string> landed_names(const std::string& peer, const std::string& tid) const;
  bool owns(Tab tab) const { return tab >= kFirstTab; }
  void stop();

 private:
  using Key = std::pair<std::string, std::string>;  // (peer, tid)
  struct Entry {
    LaneTransfer record;
    Tab tab = 0;
    std::uint32_t gen = 0;
    std::map<std::uint32_t, transfer::TransferService::Handle> handles;  // open files, still to land
    std::map<std::uint32_t, std::uint64_t> offsets;     // where each open file stands
    std::map<std::uint32_t, std::string> landed;        // index → name
    std::map<std::uint32_t, unsigned> retries;          // hash mismatches per file
    std::uint64_t received_in_gen = 0;
    std::uint64_t granted = 0;
    std::string stalled;
    core::Clock::TimePoint retry_at{};
  };

  void offered(const std::string& peer, const Offer& offer);
  void ended(Entry& entry, const FileEnd& end);
  // Opens what is left and sends a want of a new generation (or done, if nothing is left).
  void ask(Entry& entry);
  void finish(Entry& entry);
  void stall(Entry& entry, const boost::system::error_code& ec);
  void end(Entry& entry, LaneState state, std::string code, std::string reason);
  void close_files(Entry& entry);
  void send(const std::string& peer, const LaneMessage& message);
  void save(Entry& entry);
  Entry* find_entry(const std::string& peer, const std::string& tid);

  const LaneConfig& config_;
  const core::Clock& clock_;
  channel::PeerChannels& channels_;
  transfer::TransferService& service_;
  LaneStore& store_;
  Hooks hooks_;
  core::Logger logger_;
  std::map<Key, Entry> entries_;
  Tab next_tab_ = kFirstTab;
  bool stopped_ = false;
};

}  // namespace peerdrop::lane
