#include "lane/lane_sender.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <cstring>

#include "core/errc.hpp"
#include "lane/forget_finished.hpp"
#include "core/fd_io.hpp"
#include "core/unique_fd.hpp"
#include "lane/lane_data_frame.hpp"
#include "transfer/sha256.hpp"

namespace peerdrop::lane {

namespace asio = boost::asio;
using core::Errc;

namespace {

constexpr auto kPoll = std::chrono::milliseconds(2);
// While a page has not uploaded the next bytes yet (an upload wakes it sooner).
constexpr auto kPageWait = std::chrono::milliseconds(200);

std::string new_transfer_id() {
  std::uint8_t bytes[16];
  char text[sodium_base64_ENCODED_LEN(16, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  do {
    randombytes_buf(bytes, sizeof bytes);
    sodium_bin2base64(text, sizeof text, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  } while (text[0] == '-');  // an id never looks like an option on a command line
  return text;  // 22 characters of [A-Za-z0-9_-]
}

std::string hex(const transfer::Sha256::Digest& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (const auto b : digest) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::int64_t mtime_ns(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

Offer offer_of(const LaneTransfer& record) {
  Offer offer{.tid = record.tid, .files = {}};
  offer.files.reserve(record.files.size());
  for (const auto& f : record.files) offer.files.push_back(OfferedFile{.path = f.path, .size = f.size});
  return offer;
}

}  // namespace

LaneSender::LaneSender(asio::any_io_executor executor, const LaneConfig& config, const core::Clock& clock,
                       channel::PeerChannels& channels, LaneStore& store, UploadSpool& spool, Hooks hooks,
                       core::Logger logger)
    : executor_(std::move(executor)),
      config_(config),
      clock_(clock),
      channels_(channels),
      store_(store),
      spool_(spool),
      hooks_(std::move(hooks)),
      logger_(std::move(logger)) {}

void LaneSender::load(std::vector<LaneTransfer> transfers) {
  for (auto& t : transfers) {
    if (t.direction != Direction::outgoing) continue;
    auto& entry = entries_[t.tid];
    entry.record = std::move(t);
    entry.wake = std::make_shared<asio::steady_timer>(executor_);
    if (!is_final(entry.record.state) && hooks_.want_channel) hooks_.want_channel(entry.record.peer);
  }
}

boost::system::result<LaneTransfer> LaneSender::send(const std::string& peer, std::vector<LaneFile> files) {
  return start(peer, new_transfer_id(), std::move(files));
}

boost::system::result<LaneTransfer> LaneSender::send_from_page(const std::string& peer, std::vector<LaneFile> files) {
  auto tid = new_transfer_id();
  for (std::uint32_t i = 0; i < files.size(); ++i) {
    files[i].source = spool_.path_of(tid, i);
    files[i].from_page = true;
    files[i].mtime_ns = 0;
  }
  return start(peer, std::move(tid), std::move(files));
}

boost::system::error_code LaneSender::upload(const std::string& tid, std::uint32_t index, std::uint64_t offset,
                                             std::span<const std::uint8_t> bytes) {
  auto* entry = find_entry(tid);
  if (!entry || is_final(entry->record.state) || index >= entry->record.files.size() ||
      !entry->record.files[index].from_page) {
    return core::make_error_code(Errc::unknown_transfer);
  }
  if (offset != spool_.size(tid, index)) return core::make_error_code(Errc::out_of_order);
  if (offset + bytes.size() > entry->record.files[index].size) return core::make_error_code(Errc::too_large);
  if (const auto ec = spool_.write(tid, index, offset, bytes)) return ec;
  entry->last_upload = clock_.now();
  if (entry->awaiting_page) entry->wake->cancel();
  return {};
}

std::uint64_t LaneSender::uploaded(const std::string& tid, std::uint32_t index) const {
  const auto it = entries_.find(tid);
  if (it == entries_.end() || index >= it->second.record.files.size() || !it->second.record.files[index].from_page) {
    return 0;
  }
  return spool_.size(tid, index);
}

boost::system::result<LaneTransfer> LaneSender::start(const std::string& peer, std::string tid,
                                                      std::vector<LaneFile> files) {
  if (files.empty() || files.size() > config_.max_files) return core::make_error_code(Errc::malformed);
  const auto now = clock_.unix_ms();
  LaneTransfer record{.direction = Direction::outgoing, .peer = peer, .tid = std::move(tid),
                      .files = std::move(files)};
  record.created_at = now;
  record.updated_at = now;
  record.expires_at = now + (config_.offer_timeout + config_.unanswered_grace).count();
  // The offer goes as one message: one the receiver would refuse as too large could never be answered.
  if (serialize(offer_of(record)).size() > kMaxLaneMessageBytes) return core::make_error_code(Errc::too_many_files);
  if (const auto ec = store_.save(record)) {
    logger_->error("could not record a new transfer for {}: {}", peer, ec.message());
    return core::make_error_code(Errc::storage_failed);
  }
  auto& entry = entries_[record.tid];
  entry.record = record;
  entry.wake = std::make_shared<asio::steady_timer>(executor_);
  logger_->info("offering {} files ({} bytes) to {}, transfer {}", record.files.size(), record.total_bytes(), peer,
                record.tid);
  if (channels_.connected(peer)) {
    offer(entry);
  } else if (hooks_.want_channel) {
    hooks_.want_channel(peer);
  }
  if (hooks_.changed) hooks_.changed();
  return record;
}

boost::system::error_code LaneSender::cancel(const std::string& tid) {
  auto* entry = find_entry(tid);
  if (!entry || is_final(entry->record.state)) return core::make_error_code(Errc::unknown_transfer);
  send_message(entry->record.peer, Cancel{.tid = tid, .code = "cancelled", .reason = "the sender cancelled"});
  end(*entry, LaneState::cancelled, "cancelled", "cancelled here");
  return {};
}

void LaneSender::channel_up(const std::string& peer) {
  for (auto& [tid, entry] : entries_) {
    if (entry.record.peer == peer && !is_final(entry.record.state)) offer(entry);
  }
}

void LaneSender::channel_down(const std::string& peer) {
  for (auto& [tid, entry] : entries_) {
    if (entry.record.peer != peer) continue;
    entry.wanted = false;  // the pump stops; the next channel's want says where to go on
    entry.wake->cancel();
  }
}

void LaneSender::offer(const Entry& entry) { send_message(entry.record.peer, offer_of(entry.record)); }

void LaneSender::message(const std::string& peer, const LaneMessage& message) {
  if (stopped_) return;
  const auto tid = std::visit([](const auto& m) { return m.tid; }, message);
  auto* entry = find_entry(tid);
  // Only the peer it went to speaks about a transfer; ids are ours, so another peer's are not found.
  if (!entry || entry->record.peer != peer || is_final(entry->record.state)) return;
  if (const auto* answer = std::get_if<Answer>(&message)) {
    if (answer->accepted) {
      if (entry->record.state == LaneState::offered) {
        entry->record.state = LaneState::accepted;
        save(*entry);
        logger_->info("{} accepted transfer {}", peer, tid);
        if (hooks_.changed) hooks_.changed();
      }
      return;
    }
    const auto state = answer->code == "expired" ? LaneState::expired : LaneState::declined;
    logger_->info("{} did not take transfer {}: {}", peer, tid, answer->reason);
    return end(*entry, state, answer->code.empty() ? "declined" : answer->code,
               answer->reason.empty() ? "the receiver declined" : answer->reason);
  }
  if (const auto* want = std::get_if<Want>(&message)) {
    if (entry->record.state == LaneState::offered) {
      entry->record.state = LaneState::accepted;  // the want says so, should the answer have been lost
      save(*entry);
    }
    entry->gen = want->gen;
    entry->queue.assign(want->files.begin(), want->files.end());
    // The receiver asks for what it lacks: every other file has landed there.
    std::map<std::uint32_t, std::uint64_t> held;
    for (const auto& f : want->files) {
      if (f.index < entry->record.files.size()) held[f.index] = std::min(f.offset, entry->record.files[f.index].size);
    }
    for (std::uint32_t i = 0; i < entry->record.files.size(); ++i) {
      if (!held.count(i)) entry->landed.try_emplace(i);
    }
    entry->sent = std::move(held);
    entry->credit = want->credit;
    entry->sent_in_gen = 0;
    entry->wanted = true;
    entry->stalled.clear();
    entry->wake->cancel();
    if (!entry->pumping) {
      entry->pumping = true;
      asio::co_spawn(executor_, pump(tid), asio::detached);
    }
    if (hooks_.changed) hooks_.changed();
    return;
  }
  if (const auto* credit = std::get_if<Credit>(&message)) {
    if (credit->gen == entry->gen && credit->credit > entry->credit) {
      entry->credit = credit->credit;
      entry->wake->cancel();
    }
    return;
  }
  if (const auto* landed = std::get_if<FileLanded>(&message)) {
    if (landed->ok && landed->index < entry->record.files.size()) {
      entry->landed[landed->index] = landed->name;
      entry->sent.erase(landed->index);
    }
    if (!landed->ok) logger_->info("transfer {}: {} could not take file {}: {}", tid, peer, landed->index, landed->reason);
    return;
  }
  if (std::holds_alternative<Done>(message)) {
    logger_->info("transfer {} to {}: every file landed and was verified", tid, peer);
    return end(*entry, LaneState::done, {}, {});
  }
  if (const auto* cancel_msg = std::get_if<Cancel>(&message)) {
    logger_->info("{} cancelled transfer {}: {}", peer, tid, cancel_msg->reason);
    return end(*entry, cancel_msg->code == "cancelled" ? LaneState::cancelled : LaneState::failed,
               cancel_msg->code.empty() ? "cancelled" : cancel_msg->code,
               cancel_msg->reason.empty() ? "the receiver cancelled" : cancel_msg->reason);
  }
  if (const auto* stalled = std::get_if<Stalled>(&message)) {
    entry->stalled = stalled->reason.empty() ? stalled->code : stalled->reason;
    entry->wanted = false;  // until the receiver asks again
    entry->wake->cancel();
    if (hooks_.changed) hooks_.changed();
  }
}

asio::awaitable<void> LaneSender::pump(std::string tid) {
  std::vector<std::byte> buffer(config_.chunk_bytes);
  std::vector<std::uint8_t> frame;
  frame.reserve(config_.chunk_bytes + DataFrame::kFixedBytes + 64);
  boost::system::error_code wait_ec;
  for (;;) {
    auto* entry = find_entry(tid);
    if (!entry) co_return;
    if (stopped_ || !entry->wanted || entry->record.state != LaneState::accepted || entry->queue.empty()) {
      entry->pumping = false;
      co_return;
    }
    const auto gen = entry->gen;
    const auto peer = entry->record.peer;
    const auto wanted = entry->queue.front();
    // Whether this generation still runs (a new want, a cut, a cancel end it).
    const auto current = [&]() -> Entry* {
      auto* e = find_entry(tid);
      return e && !stopped_ && e->wanted && e->gen == gen && e->record.state == LaneState::accepted ? e : nullptr;
    };
    if (wanted.index >= entry->record.files.size() || wanted.offset > entry->record.files[wanted.index].size) {
      entry->queue.pop_front();  // not a file of ours: nothing to send
      continue;
    }
    const LaneFile file = entry->record.files[wanted.index];
    core::UniqueFd fd;
    if (file.from_page) {
      // A page uploads it: wait for its first bytes (or for an empty file's end).
      while (!(fd = core::UniqueFd(::open(file.source.c_str(), O_RDONLY | O_CLOEXEC))) && file.size > 0) {
        if (!(entry = current())) break;
        entry->awaiting_page = true;
        entry->wake->expires_after(kPageWait);
        const auto wake = entry->wake;
        co_await wake->async_wait(asio::redirect_error(asio::use_awaitable, wait_ec));
      }
      if (!current()) continue;
    } else {
      fd = core::UniqueFd(::open(file.source.c_str(), O_RDONLY | O_CLOEXEC));
      struct stat st {};
      if (!fd || ::fstat(fd.get(), &st) != 0) {
        fail_source(*entry, file.source + " cannot be read (" + std::strerror(errno) + ")");
        co_return;
      }
      if (static_cast<std::uint64_t>(st.st_size) != file.size || mtime_ns(st) != file.mtime_ns) {
        fail_source(*entry, file.source + " changed since it was offered");
        co_return;
      }
    }
    // How many bytes of the file can be read now: all of a file on disk; what a page uploaded so far.
    const auto available = [&]() -> std::uint64_t {
      if (!file.from_page) return file.size;
      struct stat st {};
      return fd && ::fstat(fd.get(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
    };
    transfer::Sha256 hash;
    std::uint64_t pos = 0;
    bool ok = true;
    bool waiting = false;
    // The receiver holds the bytes below the offset: they are hashed here, not sent.
    while (ok && pos < wanted.offset) {
      auto* e = current();
      if (!e) break;
      const auto ready = std::min(available(), wanted.offset);
      if (ready <= pos) {
        e->awaiting_page = true;
        e->wake->expires_after(kPageWait);
        const auto wake = e->wake;
        co_await wake->async_wait(asio::redirect_error(asio::use_awaitable, wait_ec));
        continue;
      }
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), ready - pos));
      const auto got = core::pread_all(fd.get(), std::span(buffer.data(), n), static_cast<off_t>(pos));
      if (!got || *got != n) {
        ok = false;
        break;
      }
      hash.update(std::span(reinterpret_cast<const std::uint8_t*>(buffer.data()), n));
      pos += n;
      co_await asio::post(executor_, asio::use_awaitable);
    }
    if (!ok) {
      if (auto* e = find_entry(tid)) fail_source(*e, file.source + " could not be read to the end");
      co_return;
    }
    if (!current()) continue;
    entry = current();
    while (pos < file.size) {
      entry = current();
      if (!entry) break;
      const auto ready = available();
      waiting = ready <= pos;
      entry->awaiting_page = waiting;
      if (waiting || entry->sent_in_gen >= entry->credit ||
          channels_.queued_bytes(peer) > config_.channel_high_water) {
        entry->wake->expires_after(waiting ? kPageWait : kPoll);
        const auto wake = entry->wake;  // the entry's timer lives on if the transfer ends meanwhile
        co_await wake->async_wait(asio::redirect_error(asio::use_awaitable, wait_ec));
        continue;
      }
      const auto n = static_cast<std::size_t>(
          std::min<std::uint64_t>({buffer.size(), ready - pos, entry->credit - entry->sent_in_gen}));
      const auto got = core::pread_all(fd.get(), std::span(buffer.data(), n), static_cast<off_t>(pos));
      if (!got || *got != n) {
        fail_source(*entry, file.source + " changed while it was sent (it is shorter now)");
        co_return;
      }
      const auto bytes = std::span(reinterpret_cast<const std::uint8_t*>(buffer.data()), n);
      frame.clear();
      append_data_header(tid, gen, wanted.index, pos, frame);
      frame.insert(frame.end(), bytes.begin(), bytes.end());
      if (!channels_.send(peer, channel::FrameType::transfer_data, frame)) {
        entry->wake->expires_after(kPoll);
        const auto wake = entry->wake;
        co_await wake->async_wait(asio::redirect_error(asio::use_awaitable, wait_ec));
        continue;
      }
      hash.update(bytes);
      pos += n;
      entry->sent_in_gen += n;
      entry->data_bytes += n;
      auto& sent = entry->sent[wanted.index];
      sent = std::max(sent, pos);
      if (hooks_.changed) hooks_.changed();  // progress (the feed pushes it at most every so often)
      co_await asio::post(executor_, asio::use_awaitable);
    }
    entry = current();
    if (!entry || pos < file.size) continue;
    const FileEnd end_msg{.tid = tid, .gen = gen, .index = wanted.index, .size = file.size,
                          .sha256 = hex(hash.digest())};
    // The end must follow the bytes: while the queue is full it waits (a cut ends the generation).
    while ((entry = current()) && !send_message(peer, end_msg)) {
      entry->wake->expires_after(kPoll);
      const auto wake = entry->wake;
      co_await wake->async_wait(asio::redirect_error(asio::use_awaitable, wait_ec));
    }
    if (entry) entry->queue.pop_front();
  }
}

void LaneSender::fail_source(Entry& entry, const std::string& why) {
  logger_->warn("transfer {} to {} stops: {}", entry.record.tid, entry.record.peer, why);
  send_message(entry.record.peer, Cancel{.tid = entry.record.tid, .code = "source_changed", .reason = why});
  end(entry, LaneState::failed, "source_changed", why);
  entry.pumping = false;
}

void LaneSender::end(Entry& entry, LaneState state, std::string code, std::string reason) {
  entry.record.state = state;
  entry.record.code = std::move(code);
  entry.record.reason = std::move(reason);
  entry.wanted = false;
  entry.queue.clear();
  entry.wake->cancel();
  entry.awaiting_page = false;
  if (std::any_of(entry.record.files.begin(), entry.record.files.end(), [](const LaneFile& f) { return f.from_page; })) {
    spool_.remove(entry.record.tid);
  }
  save(entry);
  forget_finished(entries_, entry, config_.max_kept_finished);
  if (hooks_.changed) hooks_.changed();
}

void LaneSender::tick() {
  if (stopped_) return;
  const auto now = clock_.unix_ms();
  for (auto& [tid, entry] : entries_) {
    if (entry.record.state == LaneState::offered && now >= entry.record.expires_at) {
      const auto minutes = (config_.offer_timeout + config_.unanswered_grace).count() / 60'000;
      logger_->info("transfer {} to {} expired: no answer in {} minutes", tid, entry.record.peer, minutes);
      send_message(entry.record.peer, Cancel{.tid = tid, .code = "expired", .reason = "the offer expired"});
      end(entry, LaneState::expired, "expired",
          "the receiver did not answer within " + std::to_string(minutes) + " minutes (it may be offline)");
    }
  }
}

std::vector<LaneTransfer> LaneSender::transfers() const {
  std::vector<LaneTransfer> out;
  out.reserve(entries_.size());
  for (const auto& [tid, entry] : entries_) out.push_back(entry.record);
  return out;
}

std::optional<LaneTransfer> LaneSender::find(const std::string& tid) const {
  const auto it = entries_.find(tid);
  if (it == entries_.end()) return std::nullopt;
  return it->second.record;
}

LaneSender::Progress LaneSender::progress(const std::string& tid) const {
  Progress p;
  const auto it = entries_.find(tid);
  if (it == entries_.end()) return p;
  const auto& entry = it->second;
  p.landed = entry.landed;
  p.data_bytes = entry.data_bytes;
  p.files_landed = entry.landed.size();
  p.stalled = entry.stalled;
  // A page that uploads a little behind is not worth a word; one that stopped is.
  if (p.stalled.empty() && entry.awaiting_page && clock_.now() - entry.last_upload > std::chrono::seconds(3)) {
    p.stalled = "waiting for the page to send the rest: open PeerDrop here and offer the same files again";
  }
  if (entry.record.state == LaneState::done) {
    p.sent = entry.record.total_bytes();
    p.files_landed = entry.record.files.size();
    return p;
  }
  for (const auto& [index, name] : entry.landed) {
    if (index < entry.record.files.size()) p.sent += entry.record.files[index].size;
  }
  for (const auto& [index, offset] : entry.sent) {
    if (!entry.landed.count(index)) p.sent += offset;
  }
  return p;
}

void LaneSender::stop() {
  stopped_ = true;
  for (auto& [tid, entry] : entries_) entry.wake->cancel();
}

bool LaneSender::send_message(const std::string& peer, const LaneMessage& message) {
  const auto text = serialize(message);
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  if (channels_.send(peer, channel::FrameType::transfer, bytes)) return true;
  logger_->debug("a transfer message for {} was not sent: no channel, or its queue is full", peer);
  return false;
}

void LaneSender::save(Entry& entry) {
  entry.record.updated_at = clock_.unix_ms();
  if (const auto ec = store_.save(entry.record)) {
    logger_->error("could not record transfer {} to {}: {}", entry.record.tid, entry.record.peer, ec.message());
  }
}

LaneSender::Entry* LaneSender::find_entry(const std::string& tid) {
  const auto it = entries_.find(tid);
  return it == entries_.end() ? nullptr : &it->second;
}

}  // namespace peerdrop::lane
