#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <span>
#include <string>

#include "channel/channel_frame.hpp"
#include "channel/peer_channels.hpp"
#include "core/clock.hpp"
#include "core/logging.hpp"
#include "lane/lane_config.hpp"
#include "lane/lane_control.hpp"
#include "lane/lane_receiver.hpp"
#include "lane/lane_sender.hpp"
#include "lane/lane_store.hpp"
#include "lane/upload_spool.hpp"
#include "transfer/transfer_service.hpp"

namespace peerdrop::lane {

// The transfer lane of this daemon: both directions over the daemon
// channels (frames `transfer` and `transfer_data`), restored from the store
// at start, ticked every second (expiry, a full disk's retry), and the
// control API's view of it.
class LaneService final : public LaneControl {
 public:
  struct Hooks {
    LaneReceiver::Hooks receiver;
    std::function<void()> changed;                           // either side changed (the UI's push)
    std::function<bool(const std::string& peer)> known_peer;  // a verified peer of the table
    std::function<std::string(const std::string& peer)> peer_name;
    std::function<void(const std::string& peer)> want_channel;  // discovery: get a channel to the peer up
  };

  LaneService(boost::asio::any_io_executor executor, const LaneConfig& config, const core::Clock& clock,
              channel::PeerChannels& channels, transfer::TransferService& service, LaneStore& store,
              UploadSpool& spool, Hooks hooks, core::Logger logger);

  void start();
  void stop();
  void channel_up(const std::string& peer);
  void channel_down(const std::string& peer);
  void frame(const std::string& peer, channel::FrameType type, std::span<const std::uint8_t> payload);
  bool owns(transfer::TransferService::Tab tab) const { return receiver_.owns(tab); }

  // LaneControl
  boost::system::result<boost::json::object> send_paths(const std::string& peer, const std::vector<std::string>& paths,
                                                        std::string& failed_path) override;
  boost::system::result<boost::json::object> send_from_page(
      const std::string& peer, std::vector<std::pair<std::string, std::uint64_t>> files) override;
  boost::system::error_code upload(const std::string& tid, std::uint32_t index, std::uint64_t offset,
                                   std::span<const std::uint8_t> bytes) override {
    return sender_.upload(tid, index, offset, bytes);
  }
  std::uint64_t uploaded(const std::string& tid, std::uint32_t index) const override {
    return sender_.uploaded(tid, index);
  }
  boost::system::result<std::uint64_t> upload_size(const std::string& tid, std::uint32_t index) const override;
  boost::json::object list() const override;
  boost::system::result<boost::json::object> get(const std::string& tid) const override;
  boost::system::error_code cancel(const std::string& tid) override;
  boost::json::object offers() const override;
  boost::system::error_code answer(const std::string& tid, bool accept, const std::string& by) override;

 private:
  boost::json::object to_json(const LaneTransfer& transfer, bool with_files) const;
  boost::asio::awaitable<void> ticker();

  const LaneConfig& config_;
  core::Logger logger_;
  Hooks hooks_;
  LaneStore& store_;
  LaneReceiver receiver_;
  LaneSender sender_;
  boost::asio::any_io_executor executor_;
  boost::asio::steady_timer tick_timer_;
  bool stopped_ = false;
};

}  // namespace peerdrop::lane
