#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "api/file_library.hpp"
#include "core/logging.hpp"
#include "store/received_file_store.hpp"
#include "transfer/transfer_config.hpp"
#include "transfer/transfer_service.hpp"
#include "ws/ui_hub.hpp"

namespace peerdrop::app {

// The UI's side of file transfers (docs/protocol.md, "File transfer,
// version 1"): turns the tabs' file_open / file_finish / file_cancel
// messages and binary frames into TransferService calls and its results into
// file_opened / file_finished / file_progress / error messages; records every
// file that lands (ReceivedFileStore) and tells every tab (`files`); serves
// the received files to the HTTP API (api::FileLibrary). Its timers decide
// when to checkpoint a stream that stopped, when to sweep old partial files
// and when to push `files`; the service decides what to do.
class TransferBridge final : public api::FileLibrary {
 public:
  TransferBridge(boost::asio::any_io_executor executor, ws::UiHub& hub, transfer::TransferService& service,
                 store::ReceivedFileStore& store, const transfer::TransferConfig& config, core::Logger logger);

  // Sweeps the partial files now and then every sweep_interval.
  void start();
  void stop();

  void greet(std::uint64_t tab);  // the `files` list
  // A text message of a file type (true), or not one of ours (false).
  bool on_message(std::uint64_t tab, const boost::json::object& message);
  void on_binary(std::uint64_t tab, std::span<const std::uint8_t> frame);
  void tab_closed(std::uint64_t tab);

  // api::FileLibrary
  std::vector<transfer::ReceivedFile> recent_files() override;
  boost::system::result<transfer::UniqueFd> open_file(const transfer::SanitizedPath& path) const override;

 private:
  void open(std::uint64_t tab, const boost::json::object& message, const boost::json::value* ref);
  void finish(std::uint64_t tab, const boost::json::object& message, const boost::json::value* ref);
  void cancel(std::uint64_t tab, const boost::json::object& message, const boost::json::value* ref);
  void progress(const transfer::TransferService::Progress& progress);
  void landed(const transfer::ReceivedFile& file);
  std::optional<transfer::ReceivedFile> finished_before(const std::string& peer, const std::string& tid,
                                                        std::uint32_t index);
  void arm_checkpoint_timer();
  void sweep_later();
  std::string files_message();

  ws::UiHub& hub_;
  transfer::TransferService& service_;
  store::ReceivedFileStore& store_;
  const transfer::TransferConfig& config_;
  core::Logger logger_;
  boost::asio::steady_timer checkpoint_timer_;
  boost::asio::steady_timer sweep_timer_;
  boost::asio::steady_timer files_timer_;
  bool checkpoint_armed_ = false;
  bool files_push_pending_ = false;
  bool stopped_ = false;
};

}  // namespace peerdrop::app
