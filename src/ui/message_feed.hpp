#pragma once

#include <boost/asio/any_io_executor.hpp>

#include "messages/message.hpp"
#include "messages/message_access.hpp"
#include "ui/ui_sender.hpp"

namespace peerdrop::ui {

// Messages daemon to daemon, as the tabs see them: a new tab is told how many
// unread messages each peer has (`unread_messages`); every tab gets each
// message as it is added or changes state (`message`), and the counts again
// when they change (several changes in one go, a frame of 100 messages, are
// one push). Tabs read and send through the control API (/api/messages).
class MessageFeed {
 public:
  MessageFeed(boost::asio::any_io_executor executor, UiSender& tabs, const messages::MessageAccess& messages)
      : executor_(std::move(executor)), tabs_(tabs), messages_(messages) {}

  void greet(Tab tab);
  void changed(const messages::Message& message);
  void unread_changed();

 private:
  std::string counts_message() const;

  boost::asio::any_io_executor executor_;
  UiSender& tabs_;
  const messages::MessageAccess& messages_;
  bool counts_push_pending_ = false;
};

}  // namespace peerdrop::ui
