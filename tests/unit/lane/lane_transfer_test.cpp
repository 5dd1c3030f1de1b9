// The transfer lane end to end without sockets: a LaneSender on one daemon
// and a LaneReceiver (writing through a real TransferService into a temp
// download folder) on the other, joined by FakePeerChannels in both
// directions. The test carries frames between them (or drops, delays and
// damages them), runs the sender's pump on an io_context until it idles, and
// moves a fake clock for expiry.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/errc.hpp"
#include "core/logging.hpp"
#include "lane/lane_data_frame.hpp"
#include "lane/lane_message.hpp"
#include "lane/lane_receiver.hpp"
#include "lane/lane_sender.hpp"
#include "lane/lane_store.hpp"
#include "lane/source_files.hpp"
#include "lane/upload_spool.hpp"
#include "store/sqlite_database.hpp"
#include "support/fake_clock.hpp"
#include "support/fake_peer_channels.hpp"
#include "support/temp_dir.hpp"
#include "transfer/download_folder.hpp"
#include "transfer/transfer_service.hpp"

namespace peerdrop::lane {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using channel::FrameType;
using core::Errc;

const std::string kAlice(52, 'A');  // sends
const std::string kBob(52, 'B');    // receives

std::string content_of_size(std::size_t size, char seed = 'a') {
  std::string content(size, '\0');
  for (std::size_t i = 0; i < size; ++i) content[i] = static_cast<char>(seed + (i * 7 + i / 251) % 26);
  return content;
}

void write_file(const fs::path& path, std::string_view content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::span<const std::uint8_t> bytes_of(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// Regular files below `dir`, relative and sorted.
std::vector<std::string> files_below(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file()) out.push_back(fs::relative(it->path(), dir).generic_string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// One daemon's lane: both sides, over its own database, download folder and spool.
struct Daemon {
  Daemon(boost::asio::io_context& io, testing::FakeClock& clock, const LaneConfig& config, std::string id,
         fs::path root, transfer::TransferConfig transfer_config = {})
      : io(io),
        clock(clock),
        config(config),
        id(std::move(id)),
        root(std::move(root)),
        transfer_config(transfer_config),
        db((fs::create_directories(this->root), this->root / "peerdrop.db")),
        store(db, 200),
        folder(transfer::DownloadFolder::open(this->root / "Downloads").value()),
        spool(this->root / "outgoing") {
    start();
  }

  void start() {
    service.emplace(folder, transfer_config, clock, core::make_logger("test"),
                    transfer::TransferService::Hooks{
                        .progress = nullptr,
                        .finished_lookup = [this](const std::string& peer, const std::string& tid,
                                                  std::uint32_t index) -> std::optional<transfer::ReceivedFile> {
                          const auto it = received.find({peer, tid, index});
                          if (it == received.end()) return std::nullopt;
                          return it->second;
                        }});
    receiver.emplace(config, clock, channels, *service, store,
                     LaneReceiver::Hooks{
                         .trusted = [this](const std::string&) { return trusting; },
                         .landed =
                             [this](const transfer::ReceivedFile& f) {
                               received[{f.from, f.transfer_id, f.index}] = f;
                             },
                         .changed = nullptr,
                         .waiting = [this](const LaneTransfer& t) { waiting.push_back(t.tid); },
                         .settled = [this](const LaneTransfer& t) { settled.push_back(t.tid); },
                         .wrote = nullptr},
                     core::make_logger("test"));
    sender.emplace(io.get_executor(), config, clock, channels, store, spool,
                   LaneSender::Hooks{.changed = nullptr,
                                     .want_channel = [this](const std::string& peer) { wanted_channel.push_back(peer); }},
                   core::make_logger("test"));
    auto loaded = store.load_all().value();
    receiver->load(loaded);
    sender->load(std::move(loaded));
  }
  // A restart: only what the database, the download folder and the spool hold survives.
  void restart() {
    receiver->stop();
    sender->stop();
    sender.reset();
    receiver.reset();
    service.reset();
    start();
  }

  // What LaneService::frame does with a frame from `peer`.
  void deliver(const std::string& peer, FrameType type, std::span<const std::uint8_t> payload) {
    if (type == FrameType::transfer_data) {
      const auto data = parse_data_frame(payload);
      ASSERT_TRUE(data) << data.error().message();
      return receiver->data(peer, *data);
    }
    const auto message = parse_lane_message(std::string_view(reinterpret_cast<const char*>(payload.data()), payload.size()));
    ASSERT_TRUE(message) << message.error().message();
    if (std::holds_alternative<Offer>(*message) || std::holds_alternative<FileEnd>(*message)) {
      return receiver->message(peer, *message);
    }
    if (std::holds_alternative<Cancel>(*message)) {
      receiver->message(peer, *message);
      return sender->message(peer, *message);
    }
    sender->message(peer, *message);
  }

  fs::path downloads() const { return root / "Downloads"; }

  boost::asio::io_context& io;
  testing::FakeClock& clock;
  const LaneConfig& config;
  std::string id;
  fs::path root;
  transfer::TransferConfig transfer_config;
  store::SqliteDatabase db;
  LaneStore store;
  transfer::DownloadFolder folder;
  UploadSpool spool;
  testing::FakePeerChannels channels;
  bool trusting = false;
  std::map<std::tuple<std::string, std::string, std::uint32_t>, transfer::ReceivedFile> received;
  std::vector<std::string> waiting;
  std::vector<std::string> settled;
  std::vector<std::string> wanted_channel;
  std::optional<transfer::TransferService> service;
  std::optional<LaneReceiver> receiver;
  std::optional<LaneSender> sender;
};

LaneConfig small_windows() {
  LaneConfig config;
  config.window_bytes = 256 * 1024;
  config.credit_step_bytes = 64 * 1024;
  config.chunk_bytes = 32 * 1024;
  return config;
}

class LaneTransferTest : public ::testing::Test {
 protected:
  struct Carried {
    std::string from;
    FrameType type;
    std::vector<std::uint8_t> payload;
  };

  Daemon& other(const Daemon& d) { return &d == &alice_ ? bob_ : alice_; }

  void connect() {
    alice_.channels.up(kBob);
    bob_.channels.up(kAlice);
    alice_.sender->channel_up(kBob);
    bob_.sender->channel_up(kAlice);
  }
  // The channel closes: what was in flight is lost.
  void cut() {
    alice_.channels.down(kBob);
    bob_.channels.down(kAlice);
    alice_.sender->channel_down(kBob);
    bob_.sender->channel_down(kAlice);
  }

  // Runs what is ready on the io_context; true if anything ran.
  bool poll() {
    io_.restart();
    return io_.poll() > 0;
  }
  // Carries the oldest frame `from` sent to the other daemon (through `tamper`, which may change or drop it).
  bool carry_one(Daemon& from) {
    if (from.channels.in_flight.empty()) return false;
    auto frame = std::move(from.channels.in_flight.front());
    from.channels.in_flight.pop_front();
    if (tamper_ && !tamper_(from, frame)) return true;
    log_.push_back(Carried{from.id, frame.type, frame.payload});
    other(from).deliver(from.id, frame.type, frame.payload);
    return true;
  }
  bool carry_all() {
    bool moved = false;
    while (carry_one(alice_) || carry_one(bob_)) moved = true;
    return moved;
  }
  // Runs both daemons until nothing moves (or `until` holds).
  void settle(const std::function<bool()>& until = nullptr) {
    for (int round = 0; round < 1'000'000; ++round) {
      if (until && until()) return;
      const bool ran = poll();
      if (until && until()) return;
      bool moved = carry_one(bob_);
      moved = carry_one(alice_) || moved;
      if (!ran && !moved) return;
    }
    FAIL() << "the lane did not settle";
  }

  // The messages carried from `from`, of kind T.
  template <typename T>
  std::vector<T> messages_from(const std::string& from) const {
    std::vector<T> out;
    for (const auto& c : log_) {
      if (c.from != from || c.type != FrameType::transfer) continue;
      const auto m = parse_lane_message(std::string_view(reinterpret_cast<const char*>(c.payload.data()), c.payload.size()));
      if (m && std::holds_alternative<T>(*m)) out.push_back(std::get<T>(*m));
    }
    return out;
  }
  std::uint64_t data_bytes_carried() const {
    std::uint64_t n = 0;
    for (const auto& c : log_) {
      if (c.type == FrameType::transfer_data) n += parse_data_frame(c.payload).value().bytes.size();
    }
    return n;
  }

  // Files of the source folder, offered by alice.
  LaneTransfer send(const std::vector<std::string>& paths) {
    std::string failed;
    auto files = collect_source_files(paths, 100, failed);
    EXPECT_TRUE(files) << failed;
    auto made = alice_.sender->send(kBob, std::move(files->files));
    EXPECT_TRUE(made) << made.error().message();
    return *made;
  }
  LaneTransfer send_folder() {
    write_file(source_ / "a.txt", a_);
    write_file(source_ / "sub" / "b.bin", b_);
    write_file(source_ / "sub" / "empty", "");
    return send({source_.string()});
  }
  void expect_folder_landed() {
    EXPECT_EQ(files_below(bob_.downloads() / "src"), (std::vector<std::string>{"a.txt", "sub/b.bin", "sub/empty"}));
    EXPECT_EQ(read_file(bob_.downloads() / "src" / "a.txt"), a_);
    EXPECT_EQ(read_file(bob_.downloads() / "src" / "sub" / "b.bin"), b_);
    EXPECT_EQ(read_file(bob_.downloads() / "src" / "sub" / "empty"), "");
  }
  std::vector<std::string> partial_files() const {
    return files_below(bob_.downloads() / std::string(transfer::DownloadFolder::kPartialDirName));
  }
  // Received files (not partial ones) in bob's download folder.
  std::vector<std::string> landed_files() const {
    auto all = files_below(bob_.downloads());
    std::erase_if(all, [](const std::string& name) {
      return name.starts_with(std::string(transfer::DownloadFolder::kPartialDirName) + "/");
    });
    return all;
  }
  LaneState sender_state(const std::string& tid) const { return alice_.sender->find(tid).value().state; }
  std::optional<LaneTransfer> at_bob(const std::string& tid) const { return bob_.receiver->find(kAlice, tid); }

  testing::TempDir dir_;
  fs::path source_ = dir_.path() / "src";
  std::string a_ = content_of_size(100 * 1024 + 3, 'a');
  std::string b_ = content_of_size(1024 * 1024 + 7, 'k');
  boost::asio::io_context io_;
  testing::FakeClock clock_;
  LaneConfig config_ = small_windows();
  Daemon alice_{io_, clock_, config_, kAlice, dir_.path() / "alice"};
  Daemon bob_{io_, clock_, config_, kBob, dir_.path() / "bob"};
  std::function<bool(Daemon& from, testing::FakePeerChannels::Frame& frame)> tamper_;
  std::vector<Carried> log_;
};

TEST_F(LaneTransferTest, AnOfferWaitsWritingNothingUntilItIsAccepted) {
  connect();
  const auto made = send_folder();
  EXPECT_EQ(made.state, LaneState::offered);
  EXPECT_EQ(made.files.size(), 3u);
  settle();
  const auto waiting = at_bob(made.tid);
  ASSERT_TRUE(waiting);
  EXPECT_EQ(waiting->state, LaneState::offered);
  EXPECT_EQ(waiting->total_bytes(), a_.size() + b_.size());
  EXPECT_EQ(bob_.waiting, std::vector<std::string>{made.tid});
  EXPECT_EQ(sender_state(made.tid), LaneState::offered);
  EXPECT_TRUE(files_below(bob_.downloads()).empty());
  // Offered again (a new channel) while it waits: it still waits, once.
  cut();
  connect();
  settle();
  EXPECT_EQ(bob_.waiting.size(), 1u);
  EXPECT_TRUE(files_below(bob_.downloads()).empty());

  ASSERT_FALSE(bob_.receiver->accept(kAlice, made.tid, "tab"));
  EXPECT_EQ(bob_.receiver->accept(kAlice, made.tid, "tab"), Errc::unknown_transfer);  // it no longer waits
  settle();
  EXPECT_EQ(sender_state(made.tid), LaneState::done);
  EXPECT_EQ(at_bob(made.tid)->state, LaneState::done);
  EXPECT_EQ(at_bob(made.tid)->answered_by, "tab");
  EXPECT_EQ(bob_.settled, std::vector<std::string>{made.tid});
  expect_folder_landed();
  EXPECT_TRUE(partial_files().empty());
  const auto progress = alice_.sender->progress(made.tid);
  EXPECT_EQ(progress.sent, a_.size() + b_.size());
  EXPECT_EQ(progress.files_landed, 3u);
  EXPECT_EQ(progress.data_bytes, a_.size() + b_.size());  // nothing twice
  EXPECT_EQ(progress.landed, (std::map<std::uint32_t, std::string>{
                                 {0, "src/a.txt"}, {1, "src/sub/b.bin"}, {2, "src/sub/empty"}}));
  EXPECT_EQ(bob_.receiver->landed_names(kAlice, made.tid), progress.landed);
  EXPECT_EQ(bob_.received.size(), 3u);
  // Both sides recorded the end.
  EXPECT_EQ(bob_.store.load_all().value().size(), 1u);
  EXPECT_EQ(alice_.store.load_all().value().front().state, LaneState::done);
  EXPECT_EQ(bob_.store.load_all().value().front().state, LaneState::done);
}

TEST_F(LaneTransferTest, ADeclinedOfferEndsAtTheSenderWithTheReasonAndWritesNothing) {
  connect();
  const auto made = send_folder();
  settle();
  ASSERT_FALSE(bob_.receiver->decline(kAlice, made.tid, "command line"));
  settle();
  const auto sent = alice_.sender->find(made.tid).value();
  EXPECT_EQ(sent.state, LaneState::declined);
  EXPECT_EQ(sent.code, "declined");
  EXPECT_EQ(sent.reason, "the receiver declined");
  EXPECT_EQ(at_bob(made.tid)->state, LaneState::declined);
  EXPECT_EQ(at_bob(made.tid)->answered_by, "command line");
  EXPECT_TRUE(files_below(bob_.downloads()).empty());
  EXPECT_EQ(data_bytes_carried(), 0u);
  // A re-offer (the sender restarted before the answer came) is declined again.
  alice_.sender->load({});
  bob_.receiver->message(kAlice, Offer{.tid = made.tid, .files = {{"x", 1}}});
  EXPECT_FALSE(bob_.channels.in_flight.empty());
  const auto again = parse_lane_message(std::string_view(
      reinterpret_cast<const char*>(bob_.channels.in_flight.back().payload.data()),
      bob_.channels.in_flight.back().payload.size()));
  ASSERT_TRUE(again && std::holds_alternative<Answer>(*again));
  EXPECT_FALSE(std::get<Answer>(*again).accepted);
  EXPECT_EQ(std::get<Answer>(*again).code, "declined");
}

TEST_F(LaneTransferTest, OnlyTheNewestEndedTransfersStayInMemoryAsInTheStore) {
  config_.max_kept_finished = 2;
  connect();
  std::string newest;
  for (int i = 0; i < 4; ++i) {
    newest = send_folder().tid;
    settle();
    ASSERT_FALSE(bob_.receiver->decline(kAlice, newest, "command line"));
    settle();
    clock_.advance(std::chrono::milliseconds(10));  // each ends later than the one before
  }
  EXPECT_EQ(alice_.sender->transfers().size(), 2u);
  EXPECT_EQ(bob_.receiver->transfers().size(), 2u);
  EXPECT_TRUE(alice_.sender->find(newest).has_value());
  EXPECT_TRUE(at_bob(newest).has_value());
}

TEST_F(LaneTransferTest, AnOfferNobodyAnswersExpiresAtBothEnds) {
  connect();
  const auto made = send_folder();
  settle();
  clock_.advance(config_.offer_timeout - 1ms);
  bob_.receiver->tick();
  alice_.sender->tick();
  settle();
  EXPECT_EQ(at_bob(made.tid)->state, LaneState::offered);
  clock_.advance(1ms);
  bob_.receiver->tick();
  settle();
  EXPECT_EQ(at_bob(made.tid)->state, LaneState::expired);
  EXPECT_EQ(at_bob(made.tid)->code, "expired");
  EXPECT_EQ(at_bob(made.tid)->reason, "nobody answered the offer within 10 minutes");
  EXPECT_EQ(bob_.settled, std::vector<std::string>{made.tid});
  const auto sent = alice_.sender->find(made.tid).value();
  EXPECT_EQ(sent.state, LaneState::expired);
  EXPECT_EQ(sent.code, "expired");
  EXPECT_EQ(bob_.receiver->accept(kAlice, made.tid, "tab"), Errc::unknown_transfer);
  EXPECT_TRUE(files_below(bob_.downloads()).empty());
}

TEST_F(LaneTransferTest, AnOfferThePeerNeverSawExpiresAtTheSender) {
  const auto made = send_folder();  // no channel
  EXPECT_EQ(alice_.wanted_channel, std::vector<std::string>{kBob});
  clock_.advance(config_.offer_timeout + config_.unanswered_grace - 1ms);
  alice_.sender->tick();
  EXPECT_EQ(sender_state(made.tid), LaneState::offered);
  clock_.advance(1ms);
  alice_.sender->tick();
  const auto sent = alice_.sender->find(made.tid).value();
  EXPECT_EQ(sent.state, LaneState::expired);
  EXPECT_EQ(sent.code, "expired");
  // A channel that comes up now offers nothing.
  connect();
  settle();
  EXPECT_FALSE(at_bob(made.tid));
}

TEST_F(LaneTransferTest, ATrustedSenderIsAcceptedAtOnce) {
  bob_.trusting = true;
  connect();
  const auto made = send_folder();
  settle();
  EXPECT_EQ(sender_state(made.tid), LaneState::done);
  EXPECT_EQ(at_bob(made.tid)->answered_by, "trust");
  EXPECT_TRUE(bob_.waiting.empty());
  expect_folder_landed();
}

TEST_F(LaneTransferTest, ACutMidFileResumesFromTheDurableOffset) {
  bob_.trusting = true;
  connect();
  const auto made = send_folder();
  // Until half of b.bin is in.
  settle([&] { return bob_.receiver->progress(kAlice, made.tid).received > a_.size() + b_.size() / 2; });
  const auto before = bob_.receiver->progress(kAlice, made.tid).received;
  ASSERT_LT(before, a_.size() + b_.size());
  ASSERT_FALSE(alice_.channels.in_flight.empty());
  cut();
  poll();
  EXPECT_EQ(sender_state(made.tid), LaneState::accepted);
  EXPECT_FALSE(partial_files().empty());
  const auto wants_before = messages_from<Want>(kBob).size();
  connect();
  settle();
  ASSERT_EQ(sender_state(made.tid), LaneState::done);
  expect_folder_landed();
  // The second want asked for b.bin (and the empty file) from where bob stood.
  const auto wants = messages_from<Want>(kBob);
  ASSERT_EQ(wants.size(), wants_before + 1);
  const auto& resume = wants.back();
  EXPECT_GT(resume.gen, wants.front().gen);
  ASSERT_FALSE(resume.files.empty());
  EXPECT_EQ(resume.files.front().index, 1u);
  EXPECT_EQ(resume.files.front().offset, before - a_.size());
  // What was sent twice is at most what was lost in flight.
  EXPECT_LE(alice_.sender->progress(made.tid).data_bytes, a_.size() + b_.size() + config_.window_bytes);
}

TEST_F(LaneTransferTest, ARestartedReceiverResumes) {
  bob_.trusting = true;
  connect();
  const auto made = send_folder();
  settle([&] { return bob_.receiver->progress(kAlice, made.tid).received > a_.size() + b_.size() / 2; });
  cut();
  bob_.restart();
  EXPECT_EQ(at_bob(made.tid)->state, LaneState::accepted);
  connect();
  settle();
  ASSERT_EQ(sender_state(made.tid), LaneState::done);
  EXPECT_EQ(at_bob(made.tid)->state, LaneState::done);
  expect_folder_landed();
  EXPECT_TRUE(partial_files().empty());
}

TEST_F(LaneTransferTest, ARestartedSenderResumes) {
  bob_.trusting = true;
  connect();
  const auto made = send_folder();
  settle([&] { return bob_.receiver->progress(kAlice, made.tid).received > a_.size() + b_.size() / 2; });
  const auto before = bob_.receiver->progress(kAlice, made.tid).received;
  cut();
  poll();
  alice_.restart();
  EXPECT_EQ(alice_.wanted_channel, std::vector<std::string>{kBob});  // it wants its peer back
  EXPECT_EQ(sender_state(made.tid), LaneState::accepted);
  connect();
  settle();
  ASSERT_EQ(sender_state(made.tid), LaneState::done);
  expect_folder_landed();
  // This run sent only the rest.
  EXPECT_EQ(alice_.sender->progress(made.tid).data_bytes, a_.size() + b_.size() - before);
  // It knows where every file landed, also those that landed before it restarted.
  const auto landed = alice_.sender->progress(made.tid).landed;
  EXPECT_EQ(landed.at(0), "src/a.txt");
  EXPECT_EQ(landed.at(1), "src/sub/b.bin");
  EXPECT_EQ(landed.at(2), "src/sub/empty");
}

TEST_F(LaneTransferTest, ASourceFileChangedAfterTheOfferFailsAtBothEnds) {
  connect();
  const auto made = send_folder();
  settle();
  clock_.advance(1s);
  write_file(source_ / "sub" / "b.bin", b_ + "more");
  ASSERT_FALSE(bob_.receiver->accept(kAlice, made.tid, "tab"));
  settle();
  const auto sent = alice_.sender->find(made.tid).value();
  EXPECT_EQ(sent.state, LaneState::failed);
  EXPECT_EQ(sent.code, "source_changed");
  const auto got = at_bob(made.tid).value();
  EXPECT_EQ(got.state, LaneState::failed);
  EXPECT_EQ(got.code, "source_changed");
  EXPECT_TRUE(partial_files().empty());
  // a.txt came before b.bin was found changed: it stays.
  EXPECT_EQ(landed_files(), std::vector<std::string>{"src/a.txt"});
}

TEST_F(LaneTransferTest, AnOfferTheSenderGaveUpOnExpiresAtTheReceiverToo) {
  const auto made = send_folder();
  clock_.advance(5min);  // the peer comes within reach late: its own expiry is later than the sender's
  connect();
  settle();
  ASSERT_EQ(at_bob(made.tid)->state, LaneState::offered);
  clock_.advance(config_.offer_timeout + config_.unanswered_grace - 5min);
  alice_.sender->tick();
  settle();
  EXPECT_EQ(sender_state(made.tid), LaneState::expired);
  EXPECT_EQ(at_bob(made.tid)->state, LaneState::expired);
  EXPECT_EQ(at_bob(made.tid)->code, "expired");
  EXPECT_EQ(bob_.settled, std::vector<std::string>{made.tid});
}

TEST_F(LaneTransferTest, AFileDamagedInFlightIsAskedForAgainAndLandsRight) {
  bob_.trusting = true;
  connect();
  int damaged = 0;
  tamper_ = [&](Daemon& from, testing::FakePeerChannels::Frame& frame) {
    if (from.id == kAlice && frame.type == FrameType::transfer_data && damaged == 0) {
      const auto data = parse_data_frame(frame.payload).value();
      if (data.index == 1 && data.offset > 0) {
        ++damaged;
        frame.payload.back() ^= 0x01;
      }
    }
    return true;
  };
  const auto made = send_folder();
  settle();
  EXPECT_EQ(damaged, 1);
  ASSERT_EQ(sender_state(made.tid), LaneState::done);
  expect_folder_landed();
  const auto landed = messages_from<FileLanded>(kBob);
  ASSERT_TRUE(std::any_of(landed.begin(), landed.end(),
                          [](const FileLanded& l) { return !l.ok && l.index == 1 && l.code == "hash_mismatch"; }));
  EXPECT_EQ(messages_from<Want>(kBob).back().files.front().offset, 0u);  // the partial file was dropped
}

TEST_F(LaneTransferTest, AFileDamagedEveryTimeFailsTheTransfer) {
  bob_.trusting = true;
  connect();
  tamper_ = [&](Daemon& from, testing::FakePeerChannels::Frame& frame) {
    if (from.id == kAlice && frame.type == FrameType::transfer_data) frame.payload.back() ^= 0x01;
    return true;
  };
  write_file(source_ / "one.bin", a_);
  const auto made = send({(source_ / "one.bin").string()});
  settle();
  EXPECT_EQ(sender_state(made.tid), LaneState::failed);
  EXPECT_EQ(alice_.sender->find(made.tid)->code, "hash_mismatch");
  EXPECT_EQ(at_bob(made.tid)->state, LaneState::failed);
  EXPECT_EQ(messages_from<Want>(kBob).size(), 3u);
  EXPECT_TRUE(landed_files().empty());
  EXPECT_TRUE(partial_files().empty());
}

TEST_F(LaneTransferTest, AHostileOfferWithATraversalPathIsRefusedUpFront) {
  connect();
  const std::string tid = "evil_0123456789abcdefghi";
  const auto offer = serialize(Offer{.tid = tid, .files = {{"fine.txt", 1}, {"../x", 5}}});
  alice_.channels.send(kBob, FrameType::transfer, bytes_of(offer));
  bob_.trusting = true;
  settle();
  const auto answers = messages_from<Answer>(kBob);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_FALSE(answers[0].accepted);
  EXPECT_EQ(answers[0].code, "bad_name");  // core::error_text's code for a path refusal
  EXPECT_FALSE(at_bob(tid));
  EXPECT_TRUE(files_below(bob_.downloads()).empty());
  EXPECT_FALSE(fs::exists(bob_.root / "x"));
  // Bytes for it go nowhere.
  std::vector<std::uint8_t> data;
  append_data_header(tid, 1, 1, 0, data);
  data.insert(data.end(), 5, 'x');
  bob_.deliver(kAlice, FrameType::transfer_data, data);
  EXPECT_TRUE(files_below(bob_.downloads()).empty());
}

TEST_F(LaneTransferTest, AnOfferBiggerThanTheFreeSpaceIsRefusedBeforeAnythingIsWritten) {
  transfer::TransferConfig full;
  full.min_free_bytes = std::numeric_limits<std::uint64_t>::max();
  full.min_free_percent = 100;
  Daemon carol(io_, clock_, config_, kBob, dir_.path() / "carol", full);
  carol.trusting = true;
  alice_.channels.up(kBob);
  carol.channels.up(kAlice);
  const auto made = send_folder();
  while (!alice_.channels.in_flight.empty() || !carol.channels.in_flight.empty()) {
    poll();
    while (!alice_.channels.in_flight.empty()) {
      auto f = std::move(alice_.channels.in_flight.front());
      alice_.channels.in_flight.pop_front();
      carol.deliver(kAlice, f.type, f.payload);
    }
    while (!carol.channels.in_flight.empty()) {
      auto f = std::move(carol.channels.in_flight.front());
      carol.channels.in_flight.pop_front();
      alice_.deliver(kBob, f.type, f.payload);
    }
  }
  const auto sent = alice_.sender->find(made.tid).value();
  EXPECT_EQ(sent.state, LaneState::declined);
  EXPECT_EQ(sent.code, "disk_full");
  EXPECT_FALSE(carol.receiver->find(kAlice, made.tid));
  EXPECT_TRUE(files_below(carol.downloads()).empty());
}

TEST_F(LaneTransferTest, AnOfferWhoseTotalWrapsAroundIsRefusedForWantOfSpace) {
  // 2048 files of 2^53 - 1 bytes and one of 2048 + 10: their sum wraps around 2^64 to 10 bytes.
  connect();
  const std::string tid = "wrap_0123456789abcdefghi";
  Offer offer{.tid = tid, .files = {}};
  for (int i = 0; i < 2048; ++i) offer.files.push_back({"f" + std::to_string(i), (1ull << 53) - 1});
  offer.files.push_back({"last", 2048 + 10});
  const auto text = serialize(offer);
  alice_.channels.send(kBob, FrameType::transfer, bytes_of(text));
  settle();
  const auto answers = messages_from<Answer>(kBob);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_FALSE(answers[0].accepted);
  EXPECT_EQ(answers[0].code, "disk_full");
  EXPECT_FALSE(at_bob(tid));
  EXPECT_EQ((LaneTransfer{.files = {{.path = "a", .size = ~0ull}, {.path = "b", .size = 2}}}.total_bytes()), ~0ull);
}

TEST_F(LaneTransferTest, ATransferWhoseOfferWouldNotFitOneMessageIsRefusedWhenMade) {
  // 20,000 files (the limit) with ordinary names: their offer is over 1 MiB, which no receiver reads
  // (and no channel carries), so it could never be answered.
  connect();
  std::vector<LaneFile> files;
  for (int i = 0; i < 20'000; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "Photos/2026/Summer holiday/IMG_2026071%05d.jpg", i);
    files.push_back(LaneFile{.path = name, .size = 1, .source = "/nowhere/x", .mtime_ns = 0});
  }
  ASSERT_GT(serialize(Offer{.tid = std::string(22, 'x'),
                            .files = [&] {
                              std::vector<OfferedFile> offered;
                              for (const auto& f : files) offered.push_back({f.path, f.size});
                              return offered;
                            }()})
                .size(),
            kMaxLaneMessageBytes);
  const auto made = alice_.sender->send(kBob, files);
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error(), Errc::too_many_files);
  EXPECT_TRUE(alice_.sender->transfers().empty());
  EXPECT_TRUE(alice_.store.load_all().value().empty());
  EXPECT_TRUE(alice_.channels.in_flight.empty());
  // Half of them fit, and reach the receiver.
  files.resize(10'000);
  const auto half = alice_.sender->send(kBob, files);
  ASSERT_TRUE(half);
  settle();
  ASSERT_TRUE(at_bob(half->tid));
  EXPECT_EQ(at_bob(half->tid)->files.size(), 10'000u);
}

TEST_F(LaneTransferTest, ASenderCancelRemovesThePartialFiles) {
  bob_.trusting = true;
  connect();
  const auto made = send_folder();
  settle([&] { return bob_.receiver->progress(kAlice, made.tid).received > a_.size() + b_.size() / 2; });
  ASSERT_FALSE(partial_files().empty());
  ASSERT_FALSE(alice_.sender->cancel(made.tid));
  EXPECT_EQ(alice_.sender->cancel(made.tid), Errc::unknown_transfer);
  settle();
  EXPECT_EQ(sender_state(made.tid), LaneState::cancelled);
  EXPECT_EQ(at_bob(made.tid)->state, LaneState::cancelled);
  EXPECT_EQ(at_bob(made.tid)->code, "cancelled");
  EXPECT_TRUE(partial_files().empty());
  EXPECT_EQ(landed_files(), std::vector<std::string>{"src/a.txt"});  // what landed stays
}

TEST_F(LaneTransferTest, AReceiverCancelRemovesThePartialFiles) {
  bob_.trusting = true;
  connect();
  const auto made = send_folder();
  settle([&] { return bob_.receiver->progress(kAlice, made.tid).received > a_.size() + b_.size() / 2; });
  ASSERT_FALSE(partial_files().empty());
  ASSERT_FALSE(bob_.receiver->cancel(kAlice, made.tid));
  EXPECT_EQ(bob_.receiver->cancel(kAlice, made.tid), Errc::unknown_transfer);
  EXPECT_TRUE(partial_files().empty());
  settle();
  EXPECT_EQ(sender_state(made.tid), LaneState::cancelled);
  EXPECT_EQ(at_bob(made.tid)->state, LaneState::cancelled);
  EXPECT_TRUE(partial_files().empty());
}

TEST_F(LaneTransferTest, ACancelOfAWaitingOfferSettlesIt) {
  connect();
  const auto made = send_folder();
  settle();
  ASSERT_FALSE(alice_.sender->cancel(made.tid));
  settle();
  EXPECT_EQ(at_bob(made.tid)->state, LaneState::cancelled);
  EXPECT_EQ(bob_.settled, std::vector<std::string>{made.tid});
  EXPECT_EQ(bob_.receiver->accept(kAlice, made.tid, "tab"), Errc::unknown_transfer);
}

TEST_F(LaneTransferTest, APagesBytesAreForwardedAsTheyArrive) {
  bob_.trusting = true;
  connect();
  const auto content = content_of_size(300 * 1024 + 5, 'p');
  auto made = alice_.sender->send_from_page(kBob, {LaneFile{.path = "page/p.bin", .size = content.size()},
                                                   LaneFile{.path = "page/empty", .size = 0}});
  ASSERT_TRUE(made);
  const auto tid = made->tid;
  EXPECT_TRUE(made->files[0].from_page);
  settle();
  EXPECT_EQ(sender_state(tid), LaneState::accepted);
  EXPECT_EQ(bob_.receiver->progress(kAlice, tid).received, 0u);
  const std::size_t half = 100 * 1024;
  ASSERT_FALSE(alice_.sender->upload(tid, 0, 0, bytes_of(std::string_view(content).substr(0, half))));
  EXPECT_EQ(alice_.sender->uploaded(tid, 0), half);
  settle();
  EXPECT_EQ(bob_.receiver->progress(kAlice, tid).received, half);
  EXPECT_EQ(sender_state(tid), LaneState::accepted);
  // Out of order, past the size, not a transfer: refused.
  EXPECT_EQ(alice_.sender->upload(tid, 0, 0, bytes_of("x")), Errc::out_of_order);
  EXPECT_EQ(alice_.sender->upload(tid, 0, half, bytes_of(std::string(content.size(), 'x'))), Errc::too_large);
  EXPECT_EQ(alice_.sender->upload("none_0123456789abcdefghi", 0, 0, bytes_of("x")), Errc::unknown_transfer);
  ASSERT_FALSE(alice_.sender->upload(tid, 0, half, bytes_of(std::string_view(content).substr(half))));
  settle();
  ASSERT_EQ(sender_state(tid), LaneState::done);
  EXPECT_EQ(read_file(bob_.downloads() / "page" / "p.bin"), content);
  EXPECT_EQ(read_file(bob_.downloads() / "page" / "empty"), "");
  EXPECT_FALSE(fs::exists(alice_.root / "outgoing" / tid));  // the spool went with the transfer
  EXPECT_EQ(alice_.sender->upload(tid, 0, content.size(), bytes_of("x")), Errc::unknown_transfer);
}

TEST_F(LaneTransferTest, TheSenderNeverHasMoreThanTheWindowUnacknowledged) {
  bob_.trusting = true;
  connect();
  write_file(source_ / "big.bin", b_);
  const auto made = send({(source_ / "big.bin").string()});
  std::uint64_t most = 0;
  for (int round = 0; round < 100'000 && sender_state(made.tid) != LaneState::done; ++round) {
    poll();
    std::uint64_t in_flight = 0;
    for (const auto& f : alice_.channels.in_flight) {
      if (f.type == FrameType::transfer_data) in_flight += parse_data_frame(f.payload).value().bytes.size();
    }
    EXPECT_LE(in_flight, config_.window_bytes);
    most = std::max(most, in_flight);
    // Bob's answers (credit) go at once; alice's frames one at a time.
    while (carry_one(bob_)) {
    }
    carry_one(alice_);
  }
  EXPECT_EQ(sender_state(made.tid), LaneState::done);
  EXPECT_EQ(most, config_.window_bytes);  // and it uses all of it
  EXPECT_EQ(read_file(bob_.downloads() / "big.bin"), b_);
}

}  // namespace
}  // namespace peerdrop::lane
