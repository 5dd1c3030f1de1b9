#include "signaling/signaling_service.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "channel/channel_hub.hpp"
#include "core/logging.hpp"
#include "discovery/announcement_signer.hpp"
#include "discovery/peer_store.hpp"
#include "signaling/envelope.hpp"
#include "store/sqlite_database.hpp"
#include "support/fake_clock.hpp"
#include "support/fake_peer_channels.hpp"
#include "support/temp_dir.hpp"

namespace peerdrop::signaling {
namespace {

using namespace std::chrono_literals;

constexpr auto kShortTtl = 3000ms;

// One daemon's signaling on its own database, with channels a test drives
// (FakePeerChannels) and a clock it moves. Its discovery is never started:
// it knows the other daemon from a hello, as if a channel had proved it.
// The outbox, inbox and service can be restarted from the same database.
struct Daemon {
  Daemon(boost::asio::io_context& io, testing::FakeClock& clock, std::string name)
      : io(io), clock(clock), signer(identity, clock, std::move(name)) {
    signer.set_ports(3001, 3001);
    start();
  }

  void start() {
    outbox.emplace(db, clock, config.outbox);
    inbox.emplace(db);
    service.emplace(io.get_executor(), config, clock, identity, discovery, channels, *outbox, *inbox,
                    SignalingService::Callbacks{
                        .deliver = [this](const IncomingSignal& signal) { received.push_back(signal); },
                        .delivered = [this](std::uint64_t tag) { delivered.push_back(tag); },
                        .expired = [this](std::uint64_t tag, const std::string&) { expired.push_back(tag); },
                        .daemon_message = [this](const IncomingSignal& m) { daemon_received.push_back(m); }},
                    logger);
  }
  // A restart (SIGKILL and start): only what the database holds survives.
  void restart() {
    service.reset();
    inbox.reset();
    outbox.reset();
    start();
  }
  void meet(Daemon& other) {
    discovery.hello(other.identity.peer_id(), other.signer.make(discovery::AnnouncementKind::probe), "127.0.0.2",
                    true);
  }
  void send(const Daemon& to, int i, std::chrono::milliseconds ttl = 0ms) {
    const auto sent = service->send(to.identity.peer_id(), "ice_candidate", payload(i), ttl, i);
    ASSERT_TRUE(sent) << sent.error().message();
  }
  static std::string payload(int i) { return R"({"i":)" + std::to_string(i) + "}"; }
  const std::string& id() const { return identity.peer_id(); }

  boost::asio::io_context& io;
  testing::FakeClock& clock;
  core::Logger logger = core::make_logger("test");
  testing::TempDir dir;
  identity::Identity identity = identity::Identity::generate();
  discovery::AnnouncementSigner signer;
  store::SqliteDatabase db{dir.path() / "peerdrop.db"};
  discovery::PeerStore peer_store{db};
  discovery::DiscoveryConfig discovery_config{.loopback = true};
  channel::ChannelConfig channel_config;
  channel::ChannelHub hub{io.get_executor(), identity, clock, channel_config, {}, logger};  // discovery's own, idle
  discovery::DiscoveryService discovery{io.get_executor(), discovery_config, 3001, clock, signer,
                                        peer_store, hub, {}, logger};
  SignalingConfig config;
  testing::FakePeerChannels channels;
  std::optional<Outbox> outbox;
  std::optional<InboxState> inbox;
  std::optional<SignalingService> service;
  std::vector<IncomingSignal> received;  // what its UI got
  std::vector<IncomingSignal> daemon_received;  // the daemons' own messages it got
  std::vector<std::uint64_t> delivered;  // tags the peer acknowledged
  std::vector<std::uint64_t> expired;    // tags reported expired
};

class SignalingServiceTest : public ::testing::Test {
 protected:
  SignalingServiceTest() {
    a_.meet(b_);
    b_.meet(a_);
  }

  // A channel between A and B comes up: each side's service hears of it.
  void connect() {
    a_.channels.up(b_.id());
    b_.channels.up(a_.id());
    a_.service->channel_up(b_.id());
    b_.service->channel_up(a_.id());
  }
  // The channel closes: what was in flight is lost.
  void cut() {
    a_.channels.down(b_.id());
    b_.channels.down(a_.id());
    a_.service->channel_down(b_.id());
    b_.service->channel_down(a_.id());
  }
  // Carries the frames in flight from `from` to `to`, in order (those sent meanwhile too).
  static std::size_t carry(Daemon& from, Daemon& to) {
    std::size_t carried = 0;
    while (!from.channels.in_flight.empty()) {
      const auto frame = std::move(from.channels.in_flight.front());
      from.channels.in_flight.pop_front();
      to.service->frame(from.id(), frame.type, frame.payload);
      ++carried;
    }
    return carried;
  }
  // Carries frames both ways until none is in flight.
  void settle() {
    for (int round = 0; round < 1000; ++round) {
      if (carry(a_, b_) + carry(b_, a_) == 0) return;
    }
    FAIL() << "the daemons never stopped sending";
  }

  // The payloads B's UI got from A, in the order it got them.
  std::vector<std::string> received_by_b() const {
    std::vector<std::string> out;
    for (const auto& signal : b_.received) {
      EXPECT_EQ(signal.from, a_.id());
      out.push_back(signal.payload);
    }
    return out;
  }
  static std::vector<std::string> payloads(std::initializer_list<int> numbers) {
    std::vector<std::string> out;
    for (const auto i : numbers) out.push_back(Daemon::payload(i));
    return out;
  }
  // Sequences B's UI got rise one by one or more: never twice, never backwards.
  void expect_sequences_rise() const {
    for (std::size_t at = 1; at < b_.received.size(); ++at) {
      EXPECT_GT(b_.received[at].sequence, b_.received[at - 1].sequence) << "at " << at;
    }
  }

  boost::asio::io_context io_;
  testing::FakeClock clock_;
  Daemon a_{io_, clock_, "a"};
  Daemon b_{io_, clock_, "b"};
};

// Messages daemon to daemon: the daemons' own types may wait days (the UI's
// 10 minutes at most); a tagged one's fate reaches its sender by tag, an
// untagged one's expiry (relay requests) is not reported.
TEST_F(SignalingServiceTest, ADaemonMessageWaitsDaysAndItsSenderHearsOfItByTag) {
  const auto long_lived = a_.service->send(b_.id(), "msg:text", "{}", 48h, 77);
  ASSERT_TRUE(long_lived);
  EXPECT_EQ(long_lived->expires_ms - long_lived->created_ms, 48 * 3'600'000);
  ASSERT_TRUE(a_.service->send(b_.id(), "msg:text", R"({"n":2})", 1h, 78));
  ASSERT_TRUE(a_.service->send(b_.id(), "relay:request", "{}", 1h, 0));
  const auto ui = a_.service->send(b_.id(), "offer", "{}", 48h, 5);
  ASSERT_TRUE(ui);
  EXPECT_EQ(ui->expires_ms - ui->created_ms, 600'000) << "the UI's signals live 10 minutes at most";
  const auto capped = a_.service->send(b_.id(), "msg:text", "{}", 40 * 24h, 79);
  ASSERT_TRUE(capped);
  EXPECT_EQ(capped->expires_ms - capped->created_ms, 30LL * 86'400'000);

  clock_.advance(2h);
  a_.service->tick();
  EXPECT_EQ(a_.expired, (std::vector<std::uint64_t>{78, 5}));
  clock_.advance(24h);
  connect();
  // Signed afresh as it goes: an envelope lives 10 minutes at most, whatever waited how long.
  std::size_t checked = 0;
  for (const auto& frame : a_.channels.in_flight) {
    if (frame.type != channel::FrameType::envelopes) continue;
    for (const auto bytes : *split_frames(frame.payload, 256)) {
      const auto envelope = decode_envelope(bytes);
      ASSERT_TRUE(envelope);
      EXPECT_EQ(envelope->created_ms, static_cast<std::uint64_t>(clock_.unix_ms()));
      EXPECT_EQ(envelope->ttl_ms, Envelope::kMaxTtlMs);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 1u) << "the one past the holes goes once the first is acknowledged";
  settle();
  ASSERT_EQ(b_.daemon_received.size(), 2u);
  EXPECT_EQ(b_.daemon_received[0].type, "msg:text");
  EXPECT_EQ(b_.daemon_received[0].payload, "{}");
  EXPECT_TRUE(b_.received.empty()) << "never to a UI";
  EXPECT_EQ(a_.delivered, (std::vector<std::uint64_t>{77, 79}));
}

// The lab's case: A queues ten signals for B while B is away; the odd ones
// live 3 s. They expire (A purges them and tells the tab), and when the
// channel is up B gets the five others, in order, once.
TEST_F(SignalingServiceTest, SignalsQueuedBehindExpiredOnesArriveOnceTheChannelIsUp) {
  for (int i = 0; i < 10; ++i) a_.send(b_, i, i % 2 == 1 ? kShortTtl : 0ms);
  clock_.advance(kShortTtl + 500ms);
  a_.service->tick();
  EXPECT_EQ(a_.expired, (std::vector<std::uint64_t>{1, 3, 5, 7, 9}));

  connect();
  settle();
  EXPECT_EQ(received_by_b(), payloads({0, 2, 4, 6, 8}));
  expect_sequences_rise();
  EXPECT_EQ(a_.delivered, (std::vector<std::uint64_t>{0, 2, 4, 6, 8}));
  EXPECT_EQ(a_.expired, (std::vector<std::uint64_t>{1, 3, 5, 7, 9}));
  EXPECT_EQ(a_.outbox->size(b_.id()), 0u) << "A still holds signals B never got";
  EXPECT_EQ(b_.inbox->last_delivered(a_.id()), 9u);
}

// The same when the channel comes up before A's next purge: the expired
// signals are still in A's outbox. B steps over them, and its ack past them
// does not make them "delivered" at A: they are reported expired.
TEST_F(SignalingServiceTest, SignalsBehindExpiredOnesNotYetPurgedArriveAndTheExpiredAreNotReportedDelivered) {
  for (int i = 0; i < 10; ++i) a_.send(b_, i, i % 2 == 1 ? kShortTtl : 0ms);
  clock_.advance(kShortTtl + 500ms);

  connect();
  settle();
  EXPECT_EQ(received_by_b(), payloads({0, 2, 4, 6, 8}));
  expect_sequences_rise();
  EXPECT_EQ(a_.delivered, (std::vector<std::uint64_t>{0, 2, 4, 6, 8}));
  EXPECT_EQ(a_.expired, (std::vector<std::uint64_t>{1, 3, 5, 7, 9}));
  EXPECT_EQ(a_.outbox->size(b_.id()), 0u);
}

// Holes of every length, at the start, at the end and across frames (two
// envelopes a frame).
TEST_F(SignalingServiceTest, HolesOfEveryLengthAcrossFramesAreSteppedOver) {
  a_.config.max_batch_messages = 2;
  const std::vector<bool> short_lived{true, false, true, true, false, false, true, true, true, false, false, true};
  for (int i = 0; i < static_cast<int>(short_lived.size()); ++i) a_.send(b_, i, short_lived[i] ? kShortTtl : 0ms);
  clock_.advance(kShortTtl);

  connect();
  settle();
  EXPECT_EQ(received_by_b(), payloads({1, 4, 5, 9, 10}));
  expect_sequences_rise();
  EXPECT_EQ(a_.delivered, (std::vector<std::uint64_t>{1, 4, 5, 9, 10}));
  EXPECT_EQ(a_.expired, (std::vector<std::uint64_t>{0, 2, 3, 6, 7, 8, 11}));
  EXPECT_EQ(a_.outbox->size(b_.id()), 0u);
}

// B got 1-3 but its ack was lost with the channel; then a signal expired
// behind them. On the next channel A sends 1-3 again: B does not deliver them
// twice, and still gets the one after the hole.
TEST_F(SignalingServiceTest, ResentSignalsAreNotDeliveredTwiceAndTheOneAfterAHoleArrives) {
  connect();
  settle();
  for (int i = 0; i < 3; ++i) a_.send(b_, i);
  carry(a_, b_);
  cut();  // B's ack is lost
  EXPECT_EQ(a_.outbox->size(b_.id()), 3u);
  a_.send(b_, 3, kShortTtl);
  a_.send(b_, 4);
  clock_.advance(kShortTtl);

  connect();
  settle();
  EXPECT_EQ(received_by_b(), payloads({0, 1, 2, 4}));
  expect_sequences_rise();
  EXPECT_EQ(a_.delivered, (std::vector<std::uint64_t>{0, 1, 2, 4}));
  EXPECT_EQ(a_.expired, (std::vector<std::uint64_t>{3}));
  EXPECT_EQ(a_.outbox->size(b_.id()), 0u);
}

// Signals sent while the channel is up go at once; one that expires before
// B reads it leaves no hole (it was sent, and B accepts it within the clock
// skew allowance), and the next one is not held back.
TEST_F(SignalingServiceTest, OnAStandingChannelEachSignalGoesAtOnce) {
  connect();
  settle();
  a_.send(b_, 0);
  a_.send(b_, 1, kShortTtl);
  clock_.advance(kShortTtl);
  a_.send(b_, 2);
  settle();
  EXPECT_EQ(received_by_b(), payloads({0, 1, 2}));
  EXPECT_EQ(a_.outbox->size(b_.id()), 0u);
}

// B delivered three signals and A was killed before B's ack arrived. After
// the restart the middle one has expired (before any ack came: reported
// expired), so A resends the first one and holds the last behind the hole.
// B's ack of all three, from the earlier run, must count: else the floor
// never rises past the hole, and a new signal waits behind it too.
TEST_F(SignalingServiceTest, AfterARestartThePeersAckOfWhatTheEarlierRunSentCounts) {
  connect();
  settle();
  a_.send(b_, 0);
  a_.send(b_, 1, kShortTtl);
  a_.send(b_, 2);
  carry(a_, b_);
  EXPECT_EQ(received_by_b(), payloads({0, 1, 2}));
  cut();  // B's ack is lost
  a_.restart();
  clock_.advance(kShortTtl);

  connect();
  settle();
  a_.send(b_, 3);
  settle();
  EXPECT_EQ(received_by_b(), payloads({0, 1, 2, 3}));
  expect_sequences_rise();
  EXPECT_EQ(a_.outbox->size(b_.id()), 0u) << "A still holds signals B has";
  EXPECT_EQ(a_.delivered, (std::vector<std::uint64_t>{0, 2, 3}));
  EXPECT_EQ(a_.expired, (std::vector<std::uint64_t>{1}));
}

// An ack above every sequence A ever handed out to B is not believed, also
// after a restart; one of what an earlier run sent is.
TEST_F(SignalingServiceTest, AnAckOfWhatWasNeverSentDeletesNothing) {
  a_.send(b_, 0);
  a_.send(b_, 1);
  const auto ack = [&](std::uint64_t up_to) {
    a_.service->frame(b_.id(), channel::FrameType::ack, channel::u64_payload(up_to));
  };
  ack(std::numeric_limits<std::uint64_t>::max());
  ack(3);
  EXPECT_EQ(a_.outbox->size(b_.id()), 2u);
  a_.restart();
  ack(3);
  EXPECT_EQ(a_.outbox->size(b_.id()), 2u);
  ack(1);
  EXPECT_EQ(a_.outbox->size(b_.id()), 1u);
  EXPECT_EQ(a_.delivered, (std::vector<std::uint64_t>{0}));
}

}  // namespace
}  // namespace peerdrop::signaling
