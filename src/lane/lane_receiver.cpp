#include "lane/lane_receiver.hpp"

#include <algorithm>

#include "core/errc.hpp"
#include "lane/forget_finished.hpp"
#include "core/error_text.hpp"
#include "transfer/file_name_sanitizer.hpp"

namespace peerdrop::lane {

using core::Errc;
using transfer::TransferService;

namespace {

constexpr unsigned kMaxHashRetries = 2;
// Offers that may wait at once, from one peer and from all.
constexpr std::size_t kMaxWaitingPerPeer = 16;
constexpr std::size_t kMaxWaiting = 128;

// "10 minutes", "45 seconds", "1 hour".
std::string duration_text(std::chrono::milliseconds d) {
  const auto seconds = d.count() / 1000;
  const auto plural = [](long long n, const char* unit) {
    return std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
  };
  if (seconds >= 3600 && seconds % 3600 == 0) return plural(seconds / 3600, "hour");
  if (seconds >= 60 && seconds % 60 == 0) return plural(seconds / 60, "minute");
  return plural(seconds, "second");
}

std::string bytes_text(std::uint64_t bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
  return text;
}

}  // namespace

LaneReceiver::LaneReceiver(const LaneConfig& config, const core::Clock& clock, channel::PeerChannels& channels,
                           TransferService& service, LaneStore& store, Hooks hooks, core::Logger logger)
    : config_(config),
      clock_(clock),
      channels_(channels),
      service_(service),
      store_(store),
      hooks_(std::move(hooks)),
      logger_(std::move(logger)) {}

void LaneReceiver::load(std::vector<LaneTransfer> transfers) {
  for (auto& t : transfers) {
    if (t.direction != Direction::incoming) continue;
    Key key{t.peer, t.tid};
    auto& entry = entries_[key];
    entry.record = std::move(t);
    if (entry.record.state == LaneState::offered && hooks_.waiting) hooks_.waiting(entry.record);  // still waiting
  }
}

void LaneReceiver::message(const std::string& peer, const LaneMessage& message) {
  if (stopped_) return;
  if (const auto* offer = std::get_if<Offer>(&message)) return offered(peer, *offer);
  if (const auto* end_msg = std::get_if<FileEnd>(&message)) {
    auto* entry = find_entry(peer, end_msg->tid);
    if (entry && entry->record.state == LaneState::accepted && end_msg->gen == entry->gen) ended(*entry, *end_msg);
    return;
  }
  if (const auto* cancel_msg = std::get_if<Cancel>(&message)) {
    auto* entry = find_entry(peer, cancel_msg->tid);
    if (!entry || is_final(entry->record.state)) return;
    const bool waited = entry->record.state == LaneState::offered;
    logger_->info("{} cancelled transfer {}: {}", peer, cancel_msg->tid,
                  cancel_msg->reason.empty() ? cancel_msg->code : cancel_msg->reason);
    service_.cancel(peer, cancel_msg->tid);
    // The code says how it ended: cancelled by someone, expired unanswered, or failed (source_changed …).
    const auto& code = cancel_msg->code;
    if (code.empty() || code == "cancelled") {
      end(*entry, LaneState::cancelled, "cancelled",
          cancel_msg->reason.empty() ? "the sender cancelled it" : cancel_msg->reason);
    } else {
      end(*entry, code == "expired" ? LaneState::expired : LaneState::failed, code,
          cancel_msg->reason.empty() ? "the sender stopped it (" + code + ")" : cancel_msg->reason);
    }
    if (waited && hooks_.settled) hooks_.settled(entry->record);
    return;
  }
  // Answer, Want, Credit, FileLanded, Done and Stalled go to a sender.
}

void LaneReceiver::offered(const std::string& peer, const Offer& offer) {
  if (auto* entry = find_entry(peer, offer.tid)) {
    // Offered again: a new channel, or the sender restarted. Say where we stand.
    switch (entry->record.state) {
      case LaneState::offered: return;  // still waiting for someone here
      case LaneState::accepted:
        send(peer, Answer{.tid = offer.tid, .accepted = true, .code = {}, .reason = {}});
        // A sender that restarted knows only what it hears: where the files that landed are.
        for (const auto& [index, name] : entry->landed) {
          send(peer, FileLanded{.tid = offer.tid, .index = index, .ok = true, .name = name, .code = {}, .reason = {}});
        }
        ask(*entry);
        return;
      case LaneState::done: send(peer, Done{.tid = offer.tid}); return;
      case LaneState::cancelled:
      case LaneState::failed:
        send(peer, Cancel{.tid = offer.tid, .code = entry->record.code, .reason = entry->record.reason});
        return;
      case LaneState::declined:
      case LaneState::expired:
        send(peer, Answer{.tid = offer.tid, .accepted = false, .code = entry->record.code,
                          .reason = entry->record.reason});
        return;
    }
  }
  const auto refuse = [&](std::string code, std::string reason) {
    logger_->info("refused an offer of {} files from {}: {}", offer.files.size(), peer, reason);
    send(peer, Answer{.tid = offer.tid, .accepted = false, .code = std::move(code), .reason = std::move(reason)});
  };
  if (offer.files.empty()) return refuse("bad_request", "the offer has no files");
  if (offer.files.size() > config_.max_files) return refuse("too_many_files", "the offer has too many files");
  std::size_t waiting_here = 0;
  std::size_t waiting = 0;
  for (const auto& [key, e] : entries_) {
    if (e.record.state != LaneState::offered) continue;
    ++waiting;
    if (key.first == peer) ++waiting_here;
    if (e.record.tid == offer.tid) return refuse("duplicate", "another offer with this id waits here");
  }
  const bool trusted = hooks_.trusted && hooks_.trusted(peer);
  if (!trusted && (waiting_here >= kMaxWaitingPerPeer || waiting >= kMaxWaiting)) {
    return refuse("busy", "too many offers wait for an answer here; try again later");
  }
  LaneTransfer record{.direction = Direction::incoming, .peer = peer, .tid = offer.tid};
  record.files.reserve(offer.files.size());
  for (const auto& f : offer.files) {
    if (const auto clean = transfer::FileNameSanitizer::sanitize(f.path); !clean) {
      const auto [code, sentence] = core::error_text(clean.error() == Errc::too_large
                                                         ? core::make_error_code(Errc::path_too_long)
                                                         : clean.error());
      return refuse(std::string(code), sentence);
    }
    record.files.push_back(LaneFile{.path = f.path, .size = f.size, .source = {}, .mtime_ns = 0});
  }
  const auto total = record.total_bytes();
  if (!service_.can_take(total)) {
    return refuse("disk_full", "there is not enough space for " + bytes_text(total) +
                                   " in the receiver's download folder (beside a safety margin)");
  }
  const auto now = clock_.unix_ms();
  record.created_at = now;
  record.updated_at = now;
  record.expires_at = now + config_.offer_timeout.count();
  auto& entry = entries_[Key{peer, offer.tid}];
  entry.record = std::move(record);
  logger_->info("{} offers {} files ({}), transfer {}", peer, offer.files.size(), bytes_text(total), offer.tid);
  if (trusted) {
    entry.record.state = LaneState::accepted;
    entry.record.answered_by = "trust";
    save(entry);
    logger_->info("accepted transfer {} from {}: it is a trusted peer", offer.tid, peer);
    send(peer, Answer{.tid = offer.tid, .accepted = true, .code = {}, .reason = {}});
    ask(entry);
  } else {
    save(entry);
    if (hooks_.waiting) hooks_.waiting(entry.record);
  }
  if (hooks_.changed) hooks_.changed();
}

boost::system::error_code LaneReceiver::accept(const std::string& peer, const std::string& tid, std::string by) {
  auto* entry = find_entry(peer, tid);
  if (!entry || entry->record.state != LaneState::offered) return core::make_error_code(Errc::unknown_transfer);
  entry->record.state = LaneState::accepted;
  entry->record.answered_by = std::move(by);
  save(*entry);
  logger_->info("accepted transfer {} from {} ({})", tid, peer, entry->record.answered_by);
  if (hooks_.settled) hooks_.settled(entry->record);
  send(peer, Answer{.tid = tid, .accepted = true, .code = {}, .reason = {}});
  ask(*entry);
  if (hooks_.changed) hooks_.changed();
  return {};
}

boost::system::error_code LaneReceiver::decline(const std::string& peer, const std::string& tid, std::string by) {
  auto* entry = find_entry(peer, tid);
  if (!entry || entry->record.state != LaneState::offered) return core::make_error_code(Errc::unknown_transfer);
  entry->record.answered_by = std::move(by);
  send(peer, Answer{.tid = tid, .accepted = false, .code = "declined", .reason = "the receiver declined"});
  end(*entry, LaneState::declined, "declined", "the receiver declined");
  logger_->info("declined transfer {} from {} ({})", tid, peer, entry->record.answered_by);
  if (hooks_.settled) hooks_.settled(entry->record);
  return {};
}

boost::system::error_code LaneReceiver::cancel(const std::string& peer, const std::string& tid) {
  auto* entry = find_entry(peer, tid);
  if (!entry || is_final(entry->record.state)) return core::make_error_code(Errc::unknown_transfer);
  const bool waited = entry->record.state == LaneState::offered;
  send(peer, Cancel{.tid = tid, .code = "cancelled", .reason = "the receiver cancelled"});
  close_files(*entry);
  service_.cancel(peer, tid);
  end(*entry, LaneState::cancelled, "cancelled", "the receiver cancelled");
  if (waited && hooks_.settled) hooks_.settled(entry->record);
  return {};
}

void LaneReceiver::data(const std::string& peer, const DataFrame& frame) {
  if (stopped_) return;
  auto* entry = find_entry(peer, std::string(frame.tid));
  if (!entry || entry->record.state != LaneState::accepted || frame.gen != entry->gen || !entry->stalled.empty()) {
    return;  // an older generation's bytes, or of a transfer that ended: they are asked for again if needed
  }
  const auto handle = entry->handles.find(frame.index);
  if (handle == entry->handles.end()) return;
  if (entry->received_in_gen + frame.bytes.size() > entry->granted) {
    logger_->debug("dropped {} bytes of transfer {} from {}: past the credit given", frame.bytes.size(),
                   entry->record.tid, peer);
    return;
  }
  entry->received_in_gen += frame.bytes.size();
  const auto ec = service_.write(entry->tab, handle->second, frame.offset, frame.bytes);
  if (hooks_.wrote) hooks_.wrote();
  if (ec == Errc::disk_full) return stall(*entry, ec);
  if (ec) {
    // A gap, bytes past the size, a file taken over: ask again from what is durable.
    logger_->warn("transfer {} from {}: file {} could not be written ({}); asking for it again", entry->record.tid,
                  peer, frame.index, ec.message());
    return ask(*entry);
  }
  auto& offset = entry->offsets[frame.index];
  offset = std::max(offset, frame.offset + frame.bytes.size());
  if (entry->granted - entry->received_in_gen + config_.credit_step_bytes <= config_.window_bytes) {
    entry->granted = entry->received_in_gen + config_.window_bytes;
    send(peer, Credit{.tid = entry->record.tid, .gen = entry->gen, .credit = entry->granted});
    if (hooks_.changed) hooks_.changed();  // progress (the feed pushes it at most every so often)
  }
}

void LaneReceiver::ended(Entry& entry, const FileEnd& end_msg) {
  const auto handle = entry.handles.find(end_msg.index);
  if (handle == entry.handles.end()) return;
  const auto& peer = entry.record.peer;
  const auto finished = service_.finish(entry.tab, handle->second, end_msg.size, end_msg.sha256);
  if (hooks_.wrote) hooks_.wrote();
  if (!finished) {
    logger_->warn("transfer {} from {}: file {} could not be finished ({}); asking again", entry.record.tid, peer,
                  end_msg.index, finished.error().message());
    return ask(entry);
  }
  if (finished->error) {
    const auto [code, sentence] = core::error_text(finished->error);
    send(peer, FileLanded{.tid = entry.record.tid, .index = end_msg.index, .ok = false, .name = {},
                          .code = std::string(code), .reason = sentence});
    if (finished->error == Errc::disk_full) return stall(entry, finished->error);
    if (finished->error == Errc::hash_mismatch && ++entry.retries[end_msg.index] > kMaxHashRetries) {
      logger_->warn("transfer {} from {}: file {} arrived corrupted {} times; giving up", entry.record.tid, peer,
                    end_msg.index, kMaxHashRetries + 1);
      send(peer, Cancel{.tid = entry.record.tid, .code = "hash_mismatch", .reason = sentence});
      close_files(entry);
      service_.cancel(peer, entry.record.tid);
      return end(entry, LaneState::failed, "hash_mismatch", sentence);
    }
    if (finished->error == Errc::hash_mismatch) entry.handles.erase(handle);  // the partial is gone: reopen it
    logger_->info("transfer {} from {}: file {}: {}; asking for it again", entry.record.tid, peer, end_msg.index,
                  sentence);
    return ask(entry);
  }
  entry.landed[end_msg.index] = finished->file.name;
  entry.offsets.erase(end_msg.index);
  entry.handles.erase(handle);
  send(peer, FileLanded{.tid = entry.record.tid, .index = end_msg.index, .ok = true, .name = finished->file.name,
                        .code = {}, .reason = {}});
  if (!finished->again && hooks_.landed) hooks_.landed(finished->file);
  if (entry.handles.empty()) finish(entry);
}

void LaneReceiver::ask(Entry& entry) {
  const auto& peer = entry.record.peer;
  if (entry.tab == 0) entry.tab = next_tab_++;
  entry.stalled.clear();
  std::vector<WantedFile> wanted;
  for (std::uint32_t index = 0; index < entry.record.files.size(); ++index) {
    if (entry.landed.count(index)) continue;
    const auto& file = entry.record.files[index];
    // Opening again (also when open) checkpoints it and answers the durable offset.
    const auto opened = service_.open(
        entry.tab, TransferService::OpenRequest{
                       .peer = peer, .transfer_id = entry.record.tid, .index = index, .path = file.path,
                       .size = file.size});
    if (!opened) {
      if (opened.error() == Errc::disk_full) return stall(entry, opened.error());
      const auto [code, sentence] = core::error_text(opened.error());
      logger_->warn("transfer {} from {}: file {} cannot be received: {}", entry.record.tid, peer, index, sentence);
      send(peer, Cancel{.tid = entry.record.tid, .code = std::string(code), .reason = sentence});
      close_files(entry);
      return end(entry, LaneState::failed, std::string(code), sentence);
    }
    if (opened->complete) {
      // It landed before (the answer was lost in a cut): nothing to receive.
      entry.landed[index] = opened->name;
      entry.handles.erase(index);
      continue;
    }
    entry.handles[index] = opened->handle;
    entry.offsets[index] = opened->offset;
    wanted.push_back(WantedFile{.index = index, .offset = opened->offset});
  }
  if (hooks_.wrote) hooks_.wrote();
  if (wanted.empty()) return finish(entry);
  ++entry.gen;
  entry.received_in_gen = 0;
  entry.granted = config_.window_bytes;
  send(peer, Want{.tid = entry.record.tid, .gen = entry.gen, .files = std::move(wanted), .credit = entry.granted});
}

void LaneReceiver::finish(Entry& entry) {
  close_files(entry);
  send(entry.record.peer, Done{.tid = entry.record.tid});
  logger_->info("transfer {} from {}: all {} files landed and were verified", entry.record.tid, entry.record.peer,
                entry.record.files.size());
  end(entry, LaneState::done, {}, {});
}

void LaneReceiver::stall(Entry& entry, const boost::system::error_code& ec) {
  const auto [code, sentence] = core::error_text(ec);
  if (entry.stalled.empty()) {
    logger_->warn("transfer {} from {} waits: {}; trying again every {} s", entry.record.tid, entry.record.peer,
                  sentence, config_.disk_retry_interval.count() / 1000);
    send(entry.record.peer, Stalled{.tid = entry.record.tid, .code = std::string(code), .reason = sentence});
  }
  entry.stalled = sentence;
  ++entry.gen;  // whatever is in flight is dropped; the retry asks from what is durable
  entry.retry_at = clock_.now() + config_.disk_retry_interval;
  if (hooks_.changed) hooks_.changed();
}

void LaneReceiver::end(Entry& entry, LaneState state, std::string code, std::string reason) {
  entry.record.state = state;
  entry.record.code = std::move(code);
  entry.record.reason = std::move(reason);
  close_files(entry);
  save(entry);
  forget_finished(entries_, entry, config_.max_kept_finished);
  if (hooks_.changed) hooks_.changed();
}

void LaneReceiver::close_files(Entry& entry) {
  if (entry.tab != 0) service_.tab_closed(entry.tab);  // partial files stay (a cancel removes them)
  entry.handles.clear();
  entry.offsets.clear();
}

void LaneReceiver::tick() {
  if (stopped_) return;
  const auto now_ms = clock_.unix_ms();
  const auto now = clock_.now();
  for (auto& [key, entry] : entries_) {
    if (entry.record.state == LaneState::offered && now_ms >= entry.record.expires_at) {
      const std::string reason = "nobody answered the offer within " + duration_text(config_.offer_timeout);
      send(key.first, Answer{.tid = key.second, .accepted = false, .code = "expired", .reason = reason});
      end(entry, LaneState::expired, "expired", reason);
      logger_->info("transfer {} from {} expired: {}", key.second, key.first, reason);
      if (hooks_.settled) hooks_.settled(entry.record);
    } else if (entry.record.state == LaneState::accepted && !entry.stalled.empty() && now >= entry.retry_at) {
      if (!channels_.connected(key.first)) {
        entry.retry_at = now + config_.disk_retry_interval;
        continue;
      }
      ask(entry);
    }
  }
}

std::vector<LaneTransfer> LaneReceiver::transfers() const {
  std::vector<LaneTransfer> out;
  out.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) out.push_back(entry.record);
  return out;
}

std::optional<LaneTransfer> LaneReceiver::find(const std::string& peer, const std::string& tid) const {
  const auto it = entries_.find(Key{peer, tid});
  if (it == entries_.end()) return std::nullopt;
  return it->second.record;
}

LaneReceiver::Progress LaneReceiver::progress(const std::string& peer, const std::string& tid) const {
  Progress p;
  const auto it = entries_.find(Key{peer, tid});
  if (it == entries_.end()) return p;
  const auto& entry = it->second;
  if (entry.record.state == LaneState::done) {
    p.received = entry.record.total_bytes();
    p.files_landed = entry.record.files.size();
    return p;
  }
  for (const auto& [index, name] : entry.landed) {
    if (index < entry.record.files.size()) p.received += entry.record.files[index].size;
  }
  for (const auto& [index, offset] : entry.offsets) p.received += offset;
  p.files_landed = entry.landed.size();
  p.stalled = entry.stalled;
  return p;
}

std::map<std::uint32_t, std::string> LaneReceiver::landed_names(const std::string& peer,
                                                                const std::string& tid) const {
  const auto it = entries_.find(Key{peer, tid});
  return it == entries_.end() ? std::map<std::uint32_t, std::string>{} : it->second.landed;
}

void LaneReceiver::stop() {
  stopped_ = true;
  for (auto& [key, entry] : entries_) close_files(entry);
}

void LaneReceiver::send(const std::string& peer, const LaneMessage& message) {
  const auto text = serialize(message);
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  // Lost with the channel: the sender offers again on the next one, and this side answers again.
  if (!channels_.send(peer, channel::FrameType::transfer, bytes)) {
    logger_->debug("a transfer message for {} was not sent: no channel, or its queue is full", peer);
  }
}

void LaneReceiver::save(Entry& entry) {
  entry.record.updated_at = clock_.unix_ms();
  if (const auto ec = store_.save(entry.record)) {
    logger_->error("could not record transfer {} from {}: {}", entry.record.tid, entry.record.peer, ec.message());
  }
}

LaneReceiver::Entry* LaneReceiver::find_entry(const std::string& peer, const std::string& tid) {
  const auto it = entries_.find(Key{peer, tid});
  return it == entries_.end() ? nullptr : &it->second;
}

}  // namespace peerdrop::lane
