#include "ui/message_feed.hpp"

#include <boost/asio/post.hpp>

#include "messages/message_json.hpp"
#include "ui/ui_message_writer.hpp"

namespace peerdrop::ui {

void MessageFeed::greet(Tab tab) { tabs_.send_to(tab, counts_message()); }

void MessageFeed::changed(const messages::Message& message) {
  if (tabs_.size() > 0) tabs_.broadcast(serialize(MessagePush{.message = messages::to_json(message)}));
}

void MessageFeed::unread_changed() {
  if (counts_push_pending_ || tabs_.size() == 0) return;
  counts_push_pending_ = true;
  boost::asio::post(executor_, [this] {
    counts_push_pending_ = false;
    tabs_.broadcast(counts_message());
  });
}

std::string MessageFeed::counts_message() const {
  UnreadCounts counts;
  for (const auto& [peer, count] : messages_.unread_counts()) counts.unread[peer] = count;
  return serialize(counts);
}

}  // namespace peerdrop::ui
