#include "ui/message_feed.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "support/capturing_tabs.hpp"
#include "support/fake_message_access.hpp"

namespace peerdrop::ui {
namespace {

const std::string kPeer(52, 'A');

class MessageFeedTest : public ::testing::Test {
 protected:
  MessageFeedTest() { tabs_.open = {1, 2}; }
  void receive(int n) {
    messages_.list.push_back(messages::Message{.seq = n, .id = "id" + std::to_string(n), .peer = kPeer,
                                               .direction = messages::Message::Direction::in, .text = "hi",
                                               .state = messages::Message::State::received});
  }

  boost::asio::io_context io_;
  testing::CapturingTabs tabs_;
  testing::FakeMessageAccess messages_;
  MessageFeed feed_{io_.get_executor(), tabs_, messages_};
};

TEST_F(MessageFeedTest, GreetsATabWithTheUnreadCounts) {
  receive(1);
  receive(2);
  feed_.greet(1);
  const auto counts = tabs_.of_type(1, "unread_messages");
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts[0].at("unread").as_object().at(kPeer), 2);
  EXPECT_TRUE(tabs_.of_type(2, "unread_messages").empty());
}

TEST_F(MessageFeedTest, PushesEachChangeToEveryTab) {
  receive(1);
  feed_.changed(messages_.list[0]);
  for (const ui::Tab tab : {1, 2}) {
    const auto pushed = tabs_.of_type(tab, "message");
    ASSERT_EQ(pushed.size(), 1u);
    EXPECT_EQ(pushed[0].at("message").at("state"), "received");
    EXPECT_EQ(pushed[0].at("message").at("text"), "hi");
  }
}

TEST_F(MessageFeedTest, ManyCountChangesInOneGoAreOnePush) {
  for (int n = 1; n <= 100; ++n) {
    receive(n);
    feed_.unread_changed();
  }
  EXPECT_TRUE(tabs_.of_type(1, "unread_messages").empty());
  io_.run();
  const auto counts = tabs_.of_type(1, "unread_messages");
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts[0].at("unread").as_object().at(kPeer), 100);
}

}  // namespace
}  // namespace peerdrop::ui
