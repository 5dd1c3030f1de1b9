#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <span>

#include "core/logging.hpp"
#include "transfer/received_files.hpp"
#include "transfer/transfer_config.hpp"
#include "transfer/transfer_service.hpp"
#include "transfer/transfer_timers.hpp"
#include "ui/ui_sender.hpp"

namespace peerdrop::ui {

// The tabs' side of receiving files (docs/protocol.md, "File transfer,
// version 1"): file_open / file_finish / file_cancel and binary frames
// become TransferService calls, its results file_opened / file_finished /
// file_progress / error messages. A file that lands is recorded
// (ReceivedFiles) and every tab gets the new `files` list, at most every
// files_push_delay (a folder of small files is one push).
class FileTransferHandler {
 public:
  FileTransferHandler(boost::asio::any_io_executor executor, UiSender& tabs, transfer::TransferService& service,
                      transfer::ReceivedFiles& received, transfer::TransferTimers& timers,
                      const transfer::TransferConfig& config);

  void greet(Tab tab);  // the `files` list
  void on(Tab tab, const FileOpen& open, const std::optional<boost::json::value>& ref);
  void on(Tab tab, const FileFinish& finish, const std::optional<boost::json::value>& ref);
  void on(Tab tab, const FileCancel& cancel, const std::optional<boost::json::value>& ref);
  void on_binary(Tab tab, std::span<const std::uint8_t> frame);
  void progress(const transfer::TransferService::Progress& progress);
  void tab_closed(Tab tab);
  // A file landed (from a tab, or the daemons' transfer lane): recorded, and the tabs get the new list.
  void landed(const transfer::ReceivedFile& file);
  void stop();

 private:
  std::string files_message();

  UiSender& tabs_;
  transfer::TransferService& service_;
  transfer::ReceivedFiles& received_;
  transfer::TransferTimers& timers_;
  const transfer::TransferConfig& config_;
  boost::asio::steady_timer files_timer_;
  bool files_push_pending_ = false;
  bool stopped_ = false;
};

}  // namespace peerdrop::ui
