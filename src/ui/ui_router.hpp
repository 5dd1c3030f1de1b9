#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "ui/file_transfer_handler.hpp"
#include "ui/ice_server_list.hpp"
#include "ui/peer_feed.hpp"
#include "ui/signal_router.hpp"
#include "ui/ui_sender.hpp"

namespace peerdrop::ui {

// Routes what UiHub hears from the tabs: a new tab is greeted, each text
// message is read (parse_ui_message: its type picks its reader) and handed,
// as its typed struct, to the handler of that type; a message that cannot
// be read is answered with `error`; binary frames are file bytes; a closed
// tab's sessions and open files are let go.
class UiRouter {
 public:
  UiRouter(UiSender& tabs, PeerFeed& feed, SignalRouter& signals, IceServerList& ice_servers,
           FileTransferHandler& files);

  void opened(Tab tab);
  void text(Tab tab, std::string_view message);
  void binary(Tab tab, std::span<const std::uint8_t> frame);
  void closed(Tab tab);

 private:
  UiSender& tabs_;
  PeerFeed& feed_;
  SignalRouter& signals_;
  IceServerList& ice_servers_;
  FileTransferHandler& files_;
};

}  // namespace peerdrop::ui
