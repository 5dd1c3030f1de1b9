#include "messages/message_store.hpp"

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace peerdrop::messages {
namespace {

const std::string kAlice(52, 'A');
const std::string kBob(52, 'B');

class MessageStoreTest : public ::testing::Test {
 protected:
  static Message outgoing(const std::string& peer, const std::string& id, std::int64_t sent_at = 1000) {
    return Message{.id = id, .peer = peer, .direction = Message::Direction::out, .text = "to " + id,
                   .sent_at = sent_at, .expires_at = sent_at + 10'000, .state = Message::State::queued};
  }
  static Message incoming(const std::string& peer, const std::string& id) {
    return Message{.id = id, .peer = peer, .direction = Message::Direction::in, .text = "from " + id,
                   .sent_at = 900, .done_at = 1000, .state = Message::State::received};
  }
  Message add(const Message& m) {
    auto stored = store_->add(m);
    EXPECT_TRUE(stored && *stored) << m.id;
    return stored && *stored ? **stored : Message{};
  }

  testing::TempDir dir_;
  store::SqliteDatabase db_{dir_.path() / "peerdrop.db"};
  std::unique_ptr<MessageStore> store_ = std::make_unique<MessageStore>(db_, 5);
};

TEST_F(MessageStoreTest, KeepsAConversationInOrderAcrossARestart) {
  add(outgoing(kAlice, "m1"));
  add(incoming(kAlice, "m2"));
  add(outgoing(kBob, "other"));
  add(outgoing(kAlice, "m3"));
  store_ = std::make_unique<MessageStore>(db_, 5);
  const auto history = store_->history(kAlice, 0, 10);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].id, "m1");
  EXPECT_EQ(history[1].id, "m2");
  EXPECT_EQ(history[2].id, "m3");
  EXPECT_LT(history[0].seq, history[1].seq);
  EXPECT_EQ(history[1].direction, Message::Direction::in);
  EXPECT_EQ(history[1].text, "from m2");
  EXPECT_TRUE(history[0].read) << "our own messages are read";
  EXPECT_FALSE(history[1].read);
}

TEST_F(MessageStoreTest, PagesBackwardsWithBeforeAndLimit) {
  std::vector<Message> all;
  for (int i = 0; i < 5; ++i) all.push_back(add(outgoing(kAlice, "m" + std::to_string(i))));
  const auto newest = store_->history(kAlice, 0, 2);
  ASSERT_EQ(newest.size(), 2u);
  EXPECT_EQ(newest[0].id, "m3");
  EXPECT_EQ(newest[1].id, "m4");
  const auto older = store_->history(kAlice, newest[0].seq, 2);
  ASSERT_EQ(older.size(), 2u);
  EXPECT_EQ(older[0].id, "m1");
  EXPECT_EQ(older[1].id, "m2");
}

TEST_F(MessageStoreTest, KeepsTheNewestMessagesPerPeerOnly) {
  add(outgoing(kBob, "bob's"));
  for (int i = 0; i < 8; ++i) add(i % 2 ? incoming(kAlice, "m" + std::to_string(i)) : outgoing(kAlice, "m" + std::to_string(i)));
  const auto history = store_->history(kAlice, 0, 100);
  ASSERT_EQ(history.size(), 5u);
  EXPECT_EQ(history.front().id, "m3");
  EXPECT_EQ(history.back().id, "m7");
  EXPECT_EQ(store_->history(kBob, 0, 100).size(), 1u) << "another peer's history is its own";
}

TEST_F(MessageStoreTest, StoresAnIncomingIdOncePerPeer) {
  add(incoming(kAlice, "same"));
  const auto again = store_->add(incoming(kAlice, "same"));
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again) << "a duplicate";
  EXPECT_EQ(store_->history(kAlice, 0, 10).size(), 1u);
  // The same id from another peer, or ours with that id, is another message.
  add(incoming(kBob, "same"));
  add(outgoing(kAlice, "same"));
  EXPECT_EQ(store_->history(kAlice, 0, 10).size(), 2u);
}

TEST_F(MessageStoreTest, CountsAndMarksUnreadPerPeer) {
  add(incoming(kAlice, "a1"));
  add(incoming(kAlice, "a2"));
  add(incoming(kBob, "b1"));
  add(outgoing(kBob, "ours"));
  EXPECT_EQ(store_->unread_counts(), (std::map<std::string, std::size_t>{{kAlice, 2}, {kBob, 1}}));
  EXPECT_EQ(store_->unread(10).size(), 3u);
  EXPECT_EQ(store_->unread(2).size(), 2u);
  const auto marked = store_->mark_read(kAlice);
  ASSERT_TRUE(marked);
  EXPECT_EQ(*marked, 2u);
  EXPECT_EQ(*store_->mark_read(kAlice), 0u);
  EXPECT_EQ(store_->unread_counts(), (std::map<std::string, std::size_t>{{kBob, 1}}));
}

TEST_F(MessageStoreTest, FinishesAQueuedMessageOnceAndDeliveredWinsOverExpired) {
  const auto m = add(outgoing(kAlice, "m1"));
  const auto expired = store_->finish(m.seq, Message::State::expired, 5000);
  ASSERT_TRUE(expired);
  EXPECT_EQ(expired->state, Message::State::expired);
  EXPECT_EQ(expired->done_at, 5000);
  EXPECT_FALSE(store_->finish(m.seq, Message::State::expired, 6000)) << "already expired";
  const auto delivered = store_->finish(m.seq, Message::State::delivered, 7000);
  ASSERT_TRUE(delivered) << "the peer's ack came after all";
  EXPECT_EQ(delivered->state, Message::State::delivered);
  EXPECT_FALSE(store_->finish(m.seq, Message::State::expired, 8000));
  EXPECT_FALSE(store_->finish(m.seq, Message::State::delivered, 8000));
  const auto in = add(incoming(kAlice, "in"));
  EXPECT_FALSE(store_->finish(in.seq, Message::State::delivered, 8000)) << "only outgoing messages are delivered";
}

TEST_F(MessageStoreTest, TracksWhatIsHandedToSignaling) {
  const auto m1 = add(outgoing(kAlice, "m1"));
  const auto m2 = add(outgoing(kAlice, "m2"));
  add(outgoing(kBob, "b1"));
  EXPECT_EQ(store_->peers_with_unhanded(), (std::vector<std::string>{kAlice, kBob}));
  ASSERT_FALSE(store_->mark_handed(m1.seq));
  const auto size = store_->queue_size(kAlice);
  EXPECT_EQ(size.queued, 2u);
  EXPECT_EQ(size.handed, 1u);
  EXPECT_EQ(size.handed_bytes, m1.text.size());
  const auto waiting = store_->unhanded(kAlice, 10);
  ASSERT_EQ(waiting.size(), 1u);
  EXPECT_EQ(waiting[0].seq, m2.seq);
  store_->finish(m1.seq, Message::State::delivered, 2000);
  EXPECT_EQ(store_->queue_size(kAlice).queued, 1u);
}

TEST_F(MessageStoreTest, FindsWhatIsDue) {
  const auto unhanded = add(outgoing(kAlice, "m1", 1000));  // expires at 11,000
  const auto handed = add(outgoing(kAlice, "m2", 1000));
  store_->mark_handed(handed.seq);
  EXPECT_TRUE(store_->due(10'999, 500).empty());
  auto due = store_->due(11'000, 500);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].seq, unhanded.seq);
  due = store_->due(11'500, 500);
  EXPECT_EQ(due.size(), 2u) << "a handed one only after the grace";
}

TEST_F(MessageStoreTest, FindsAMessageByIdPreferringOurs) {
  add(incoming(kAlice, "shared-id"));
  const auto ours = add(outgoing(kBob, "shared-id"));
  const auto found = store_->find(std::string_view("shared-id"));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->seq, ours.seq);
  EXPECT_FALSE(store_->find(std::string_view("nothing")));
  EXPECT_EQ(store_->find(ours.seq)->id, "shared-id");
}

}  // namespace
}  // namespace peerdrop::messages
