#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "channel/peer_channels.hpp"
#include "core/clock.hpp"
#include "core/logging.hpp"
#include "lane/lane_config.hpp"
#include "lane/lane_message.hpp"
#include "lane/lane_store.hpp"
#include "lane/lane_transfer.hpp"
#include "lane/upload_spool.hpp"

namespace peerdrop::lane {

// The sending side of the transfer lane (docs/protocol.md, "Transfer lane").
// A transfer is persisted when it is made and offered on every channel that
// comes up to its peer until it ends, so a restart of either daemon or a cut
// only delays it. Once accepted, the receiver's want says which files to
// send from which offsets; this side reads them (checking that they did not
// change since they were offered), hashes them as it reads (the bytes below
// a resume offset are read and hashed first), and sends data frames within
// the receiver's credit while its channel's queue stays below
// channel_high_water, then each file's end with its size and SHA-256. Small
// files go back to back: no round trip per file.
class LaneSender {
 public:
  struct Hooks {
    std::function<void()> changed;  // a transfer's state changed
    // Something waits for a peer that has no channel: discovery should get one up (the peer may have to open it).
    std::function<void(const std::string& peer)> want_channel;
  };
  struct Progress {
    std::uint64_t sent = 0;  // bytes of landed files plus what was sent of the current one
    std::uint64_t data_bytes = 0;  // every data byte sent since this daemon started (resends too)
    std::size_t files_landed = 0;
    std::string stalled;  // the receiver's reason for not taking bytes now
    std::map<std::uint32_t, std::string> landed;  // index → name at the receiver
  };

  LaneSender(boost::asio::any_io_executor executor, const LaneConfig& config, const core::Clock& clock,
             channel::PeerChannels& channels, LaneStore& store, UploadSpool& spool, Hooks hooks,
             core::Logger logger);

  void load(std::vector<LaneTransfer> transfers);
  // Makes and offers a transfer of `files` (collect_source_files) to `peer`.
  // Errors: malformed (no files), too_many_files (more than its offer, one
  // message of at most kMaxLaneMessageBytes, holds), storage_failed.
  boost::system::result<LaneTransfer> send(const std::string& peer, std::vector<LaneFile> files);
  // The same for files a page uploads (their `source` is set here: the spool).
  boost::system::result<LaneTransfer> send_from_page(const std::string& peer, std::vector<LaneFile> files);
  // A page's bytes of file `index`, at `offset`: they must follow what the
  // spool holds and stay within the file's size. Errors: unknown_transfer
  // (or not a page's, or it ended), out_of_order (the offset is not what the
  // spool holds: `uploaded` says where to go on), too_large, a system error.
  boost::system::error_code upload(const std::string& tid, std::uint32_t index, std::uint64_t offset,
                                   std::span<const std::uint8_t> bytes);
  // What the spool holds of a page's file.
  std::uint64_t uploaded(const std::string& tid, std::uint32_t index) const;
  // Cancels a transfer that has not ended; the receiver is told. Errors: unknown_transfer.
  boost::system::error_code cancel(const std::string& tid);

  void channel_up(const std::string& peer);
  void channel_down(const std::string& peer);
  void message(const std::string& peer, const LaneMessage& message);
  // Gives up on offers that were never answered.
  void tick();

  std::vector<LaneTransfer> transfers() const;
  std::optional<LaneTransfer> find(const std::string& tid) const;
  Progress progress(const std::string& tid) const;
  void stop();

 private:
  struct Entry {
    LaneTransfer record;
    std::uint32_t gen = 0;
    bool wanted = false;  // a want of `gen` came on the current channel
    std::deque<WantedFile> queue;
    std::uint64_t credit = 0;
    std::uint64_t sent_in_gen = 0;
    std::uint64_t data_bytes = 0;
    std::map<std::uint32_t, std::string> landed;
    std::map<std::uint32_t, std::uint64_t> sent;  // files not landed yet: how far the receiver has or was sent them
    std::string stalled;
    bool pumping = false;
    bool awaiting_page = false;  // the pump waits for a page to upload more
    core::Clock::TimePoint last_upload{};
    std::shared_ptr<boost::asio::steady_timer> wake;
  };

  boost::system::result<LaneTransfer> start(const std::string& peer, std::string tid, std::vector<LaneFile> files);
  boost::asio::awaitable<void> pump(std::string tid);
  void offer(const Entry& entry);
  void end(Entry& entry, LaneState state, std::string code, std::string reason);
  void fail_source(Entry& entry, const std::string& why);
  // False if it could not be queued (no channel, or its queue is full).
  bool send_message(const std::string& peer, const LaneMessage& message);
  void save(Entry& entry);
  Entry* find_entry(const std::string& tid);

  boost::asio::any_io_executor executor_;
  const LaneConfig& config_;
  const core::Clock& clock_;
  channel::PeerChannels& channels_;
  LaneStore& store_;
  UploadSpool& spool_;
  Hooks hooks_;
  core::Logger logger_;
  std::map<std::string, Entry> entries_;  // by tid
  bool stopped_ = false;
};

}  // namespace peerdrop::lane
