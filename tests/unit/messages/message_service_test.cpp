#include "messages/message_service.hpp"

#include <gtest/gtest.h>

#include <set>

#include "core/errc.hpp"
#include "messages/message_payload.hpp"
#include "messages/message_text.hpp"
#include "support/fake_alarm.hpp"
#include "support/fake_clock.hpp"
#include "support/temp_dir.hpp"

namespace peerdrop::messages {
namespace {

using namespace std::chrono_literals;

const std::string kAlice(52, 'A');
const std::string kStranger(52, 'S');

struct Sent {
  std::string peer;
  std::string type;
  MessagePayload payload;
  std::chrono::milliseconds ttl;
  std::uint64_t tag;
};

class MessageServiceTest : public ::testing::Test {
 protected:
  MessageServiceTest() { make_service(); }

  void make_service() {
    service_ = std::make_unique<MessageService>(
        config_, clock_, alarm_, *store_,
        MessageService::Hooks{
            .send = [this](const std::string& peer, std::string_view type, std::string payload,
                           std::chrono::milliseconds ttl, std::uint64_t tag) -> boost::system::result<void> {
              if (send_error) return send_error;
              auto parsed = parse_message_payload(payload);
              EXPECT_TRUE(parsed) << payload;
              sent.push_back(Sent{peer, std::string(type), parsed ? *parsed : MessagePayload{}, ttl, tag});
              outbox.insert(tag);
              return {};
            },
            .may_send = [](const std::string& peer) { return peer == kAlice; },
            .changed = [this](const Message& m) { changes.push_back(m); },
            .unread_changed = [this] { ++unread_changes; },
            .in_outbox = [this](std::uint64_t tag) { return outbox.count(tag) > 0; }},
        core::make_logger("test"));
  }
  static std::string payload(const std::string& id, const std::string& text) {
    return serialize(MessagePayload{.id = id, .text = text, .sent_at = 5});
  }

  MessagesConfig config_{.ttl = 60s, .max_queued_per_peer = 10, .window_messages = 3};
  testing::FakeClock clock_;
  testing::FakeAlarm alarm_;
  testing::TempDir dir_;
  store::SqliteDatabase db_{dir_.path() / "peerdrop.db"};
  std::unique_ptr<MessageStore> store_ = std::make_unique<MessageStore>(db_, 100);
  std::unique_ptr<MessageService> service_;
  std::vector<Sent> sent;
  std::set<std::uint64_t> outbox;  // the tags signaling's outbox holds
  std::vector<Message> changes;
  int unread_changes = 0;
  boost::system::error_code send_error;
};

TEST_F(MessageServiceTest, QueuesHandsOnAndReportsDelivery) {
  const auto m = service_->send(kAlice, "Hello");
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->state, Message::State::queued);
  EXPECT_EQ(m->id.size(), 32u);
  EXPECT_EQ(m->sent_at, clock_.unix_ms());
  EXPECT_EQ(m->expires_at, clock_.unix_ms() + 60'000);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].peer, kAlice);
  EXPECT_EQ(sent[0].type, "msg:text");
  EXPECT_EQ(sent[0].payload, (MessagePayload{.id = m->id, .text = "Hello", .sent_at = m->sent_at}));
  EXPECT_EQ(sent[0].ttl, 60s);
  EXPECT_TRUE(MessageService::owns_tag(sent[0].tag));
  ASSERT_EQ(changes.size(), 1u);

  clock_.advance(250ms);
  service_->delivered(sent[0].tag);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[1].state, Message::State::delivered);
  EXPECT_EQ(changes[1].done_at, clock_.unix_ms());
  EXPECT_EQ(service_->find(m->id)->state, Message::State::delivered);
  service_->delivered(sent[0].tag);
  EXPECT_EQ(changes.size(), 2u) << "delivered once";
}

TEST_F(MessageServiceTest, IgnoresTheUisTags) {
  ASSERT_TRUE(service_->send(kAlice, "Hello"));
  const auto ours = sent[0].tag & ~MessageService::kTagBit;
  EXPECT_FALSE(MessageService::owns_tag(ours));
  service_->delivered(ours);
  service_->expired(ours);
  EXPECT_EQ(changes.size(), 1u);
}

TEST_F(MessageServiceTest, KeepsAtMostAWindowInSignalingInOrder) {
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) ids.push_back(service_->send(kAlice, "m" + std::to_string(i))->id);
  ASSERT_EQ(sent.size(), 3u);
  service_->delivered(sent[0].tag);
  service_->delivered(sent[1].tag);
  ASSERT_EQ(sent.size(), 5u);
  service_->delivered(sent[2].tag);
  service_->delivered(sent[3].tag);
  service_->delivered(sent[4].tag);
  ASSERT_EQ(sent.size(), 7u);
  for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(sent[i].payload.id, ids[i]) << i;
}

TEST_F(MessageServiceTest, WhatSignalingRefusedIsHandedAtTheNextTick) {
  send_error = core::make_error_code(core::Errc::queue_full);
  const auto m = service_->send(kAlice, "Hello");
  ASSERT_TRUE(m) << "queued here all the same";
  EXPECT_TRUE(sent.empty());
  service_->start();
  EXPECT_TRUE(sent.empty());
  send_error = {};
  alarm_.ring(clock_);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].payload.id, m->id);
  EXPECT_EQ(sent[0].ttl, 60s - 1s) << "what is left of its TTL";
  alarm_.ring(clock_);
  EXPECT_EQ(sent.size(), 1u) << "handed once";
}

TEST_F(MessageServiceTest, ExpiresWhatWaitedTooLong) {
  send_error = core::make_error_code(core::Errc::unknown_peer);
  const auto waiting = service_->send(kAlice, "never handed");
  send_error = {};
  service_->start();
  clock_.advance(30s);
  const auto handed = service_->send(kAlice, "handed");
  ASSERT_EQ(sent.size(), 2u) << "the first is handed at last too";
  // Signaling reports a handed one's expiry.
  service_->expired(sent[1].tag);
  EXPECT_EQ(service_->find(handed->id)->state, Message::State::expired);
  clock_.advance(61s);
  service_->tick();
  EXPECT_EQ(service_->find(waiting->id)->state, Message::State::queued) << "handed: signaling reports it";
  clock_.advance(60s);
  service_->tick();
  EXPECT_EQ(service_->find(waiting->id)->state, Message::State::expired) << "the safety net";
}

TEST_F(MessageServiceTest, AnUnhandedMessageExpiresAtItsTime) {
  send_error = core::make_error_code(core::Errc::queue_full);
  const auto m = service_->send(kAlice, "Hello");
  service_->start();
  clock_.advance(60s);
  service_->tick();
  EXPECT_EQ(service_->find(m->id)->state, Message::State::expired);
  EXPECT_EQ(changes.back().state, Message::State::expired);
}

TEST_F(MessageServiceTest, RefusesWhatItCannotSend) {
  EXPECT_EQ(service_->send(kStranger, "Hello").error(), core::Errc::unknown_peer);
  EXPECT_EQ(service_->send(kAlice, "").error(), core::Errc::malformed);
  EXPECT_EQ(service_->send(kAlice, "bell\a").error(), core::Errc::malformed);
  EXPECT_EQ(service_->send(kAlice, "\xff").error(), core::Errc::malformed);
  EXPECT_EQ(service_->send(kAlice, std::string(kMaxTextBytes + 1, 'x')).error(), core::Errc::too_large);
  EXPECT_TRUE(service_->send(kAlice, std::string(kMaxTextBytes, 'x')));
  send_error = core::make_error_code(core::Errc::queue_full);
  for (int i = 1; i < 10; ++i) ASSERT_TRUE(service_->send(kAlice, "x"));
  EXPECT_EQ(service_->send(kAlice, "x").error(), core::Errc::queue_full) << "10 queued at most";
  EXPECT_TRUE(changes.size() == 10u);
}

TEST_F(MessageServiceTest, StoresEachIncomingMessageOnce) {
  const std::string id = "0123456789abcdef0123456789abcdef";
  service_->received(kAlice, payload(id, "Hi there"));
  service_->received(kAlice, payload(id, "Hi there"));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].direction, Message::Direction::in);
  EXPECT_EQ(changes[0].state, Message::State::received);
  EXPECT_EQ(changes[0].text, "Hi there");
  EXPECT_EQ(changes[0].sent_at, 5);
  EXPECT_EQ(changes[0].done_at, clock_.unix_ms());
  EXPECT_EQ(unread_changes, 1);
  EXPECT_EQ(service_->unread_counts(), (std::map<std::string, std::size_t>{{kAlice, 1}}));
  ASSERT_TRUE(service_->mark_read(kAlice));
  EXPECT_EQ(unread_changes, 2);
  EXPECT_TRUE(service_->unread(10).empty());
  ASSERT_TRUE(service_->mark_read(kAlice));
  EXPECT_EQ(unread_changes, 2) << "nothing changed";
}

TEST_F(MessageServiceTest, IgnoresMalformedPayloads) {
  for (const char* bad : {"{}", "[]", "not json", R"({"id":"x","text":"y","sentAt":1})",
                          R"({"id":"0123456789abcdef0123456789abcdef","text":"","sentAt":1})"}) {
    service_->received(kAlice, bad);
  }
  EXPECT_TRUE(changes.empty());
  EXPECT_EQ(unread_changes, 0);
}

TEST_F(MessageServiceTest, AfterARestartHandsOnWhatWaitedAndKnowsItsTags) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(service_->send(kAlice, "m" + std::to_string(i)));
  ASSERT_EQ(sent.size(), 3u);
  const auto first_tag = sent[0].tag;
  service_->stop();
  sent.clear();
  store_ = std::make_unique<MessageStore>(db_, 100);
  make_service();
  service_->start();
  EXPECT_TRUE(sent.empty()) << "the window is still in signaling's outbox";
  service_->delivered(first_tag);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].payload.text, "m3");
  EXPECT_EQ(changes.back().state, Message::State::delivered);
  EXPECT_EQ(changes.back().text, "m0");
}

TEST_F(MessageServiceTest, AMessageAcknowledgedJustBeforeARestartIsDelivered) {
  ASSERT_TRUE(service_->send(kAlice, "hello"));
  ASSERT_EQ(sent.size(), 1u);
  // The peer's ack removed the outbox entry; the daemon stopped before it noted the message delivered.
  outbox.erase(sent[0].tag);
  service_->stop();
  store_ = std::make_unique<MessageStore>(db_, 100);
  make_service();
  changes.clear();
  service_->start();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes.back().state, Message::State::delivered);
  EXPECT_EQ(changes.back().text, "hello");
}

}  // namespace
}  // namespace peerdrop::messages
