#include "transfer/transfer_service.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <limits>

#include "core/errc.hpp"
#include "identity/peer_id.hpp"
#include "transfer/file_frame.hpp"

namespace peerdrop::transfer {
namespace {

using core::Errc;

bool is_hex_digest(std::string_view hex) {
  return hex.size() == 2 * crypto_hash_sha256_BYTES && std::all_of(hex.begin(), hex.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

bool TransferService::is_valid_transfer_id(std::string_view transfer_id) {
  return transfer_id.size() >= kMinTransferIdBytes && transfer_id.size() <= kMaxTransferIdBytes &&
         PartialFile::is_valid_transfer_id(transfer_id);
}

std::string TransferService::scoped_id(std::string_view peer, std::string_view transfer_id) {
  const std::string scope = std::string(peer) + ":" + std::string(transfer_id);
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(scope.data()), scope.size());
  std::array<char, 2 * crypto_hash_sha256_BYTES + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data(), 2 * crypto_hash_sha256_BYTES);
}

TransferService::TransferService(DownloadFolder& folder, const TransferConfig& config, const core::Clock& clock,
                                 core::Logger logger, Hooks hooks)
    : folder_(folder),
      config_(config),
      clock_(clock),
      logger_(std::move(logger)),
      sweeper_(clock, config.partial_max_age),
      hooks_(std::move(hooks)) {}

boost::system::result<TransferService::Opened> TransferService::open(Tab tab, const OpenRequest& request) {
  if (!identity::looks_like_peer_id(request.peer) || !is_valid_transfer_id(request.transfer_id)) {
    return core::make_error_code(Errc::malformed);
  }
  if (request.size > config_.max_file_bytes) return core::make_error_code(Errc::too_large);
  auto path = FileNameSanitizer::sanitize(request.path);
  if (!path) {
    // The sanitizer's too_large is the path's length, not the file's size.
    return path.error() == Errc::too_large ? core::make_error_code(Errc::path_too_long) : path.error();
  }
  auto& next = next_handle_.try_emplace(tab, Handle{1}).first->second;
  if (handle_counts_[tab] >= config_.max_handles_per_tab || next == std::numeric_limits<Handle>::max()) {
    return core::make_error_code(Errc::too_many_files);
  }

  Key key{request.peer, request.transfer_id, request.index};
  Entry entry{.key = key,
              .scoped_id = scoped_id(request.peer, request.transfer_id),
              .path = std::move(*path),
              .size = request.size};
  // Open already (another tab, or this one before a reload it has not noticed): the newest opener takes it over.
  if (const auto owner = by_key_.find(key); owner != by_key_.end()) {
    const auto it = entries_.find(owner->second);
    auto& previous = it->second;
    if (previous.file && previous.size == request.size) {
      if (const auto ec = checkpoint(it->first.first, previous)) return ec;
      entry.file = std::move(previous.file);
      entry.last_checkpoint = previous.last_checkpoint;
      entry.last_used = previous.last_used;
    }
    logger_->debug("tab {} took over file {} of transfer {} from tab {}", tab, request.index, request.transfer_id,
                   it->first.first);
    erase(it);
  }

  std::uint64_t offset = 0;
  if (entry.file) {
    offset = entry.file->durable();
  } else if (auto before = hooks_.finished_lookup
                                ? hooks_.finished_lookup(request.peer, request.transfer_id, request.index)
                                : std::nullopt;
             before && before->size == request.size) {
    // It landed before (the answer to its finish was lost): complete, nothing to receive.
    offset = request.size;
    entry.landed = std::move(*before);
  } else {
    if (const auto ec = folder_.ensure_partial_folder()) return ec;
    auto resumable = PartialFile::resumable_size(folder_, entry.scoped_id, request.index, request.size);
    if (!resumable) return resumable.error();
    offset = *resumable;
  }
  // The rest of this file must fit beside the rest of every open one and the margin: checked
  // against reservations, not just the free space now, so many opens at once cannot overcommit.
  const auto needed = request.size - offset;
  if (needed > 0 && !fits(needed)) return core::make_error_code(Errc::disk_full);
  entry.reserved = needed;
  reserved_ += needed;

  const Handle handle = next++;
  const Slot slot{tab, handle};
  Opened opened{handle, offset, entry.landed ? entry.landed->name : entry.path.string(), entry.landed.has_value()};
  const bool was_active = entry.file.has_value();
  entries_.emplace(slot, std::move(entry));
  by_key_.emplace(std::move(key), slot);
  if (was_active) active_.insert(slot);
  ++handle_counts_[tab];
  return opened;
}

TransferService::FrameResult TransferService::receive_frame(Tab tab, std::span<const std::uint8_t> frame) {
  const auto parsed = parse_file_frame(frame);
  if (!parsed) return {parsed.error(), std::nullopt};
  return {write(tab, parsed->handle, parsed->offset, parsed->bytes), parsed->handle};
}

boost::system::error_code TransferService::write(Tab tab, Handle handle, std::uint64_t offset,
                                                 std::span<const std::uint8_t> bytes) {
  auto* entry = find(tab, handle);
  if (!entry) return core::make_error_code(Errc::unknown_handle);
  if (entry->landed) {
    // Every byte is held: a resend is skipped, anything past the end refused.
    return bytes.size() > entry->size || offset > entry->size - bytes.size() ? core::make_error_code(Errc::too_large)
                                                                              : boost::system::error_code{};
  }
  if (const auto ec = activate(*entry)) return ec;
  entry->last_used = ++use_counter_;
  const auto ec = entry->file->write(offset, bytes);
  // What was written is on the disk now, no longer reserved.
  const auto remaining = entry->size - std::min(entry->size, entry->file->received());
  if (remaining < entry->reserved) {
    reserved_ -= entry->reserved - remaining;
    entry->reserved = remaining;
  }
  if (ec) return ec;
  const auto unsynced = entry->file->received() - entry->file->durable();
  if (unsynced >= config_.checkpoint_bytes ||
      (unsynced > 0 && clock_.now() - entry->last_checkpoint >= config_.checkpoint_interval)) {
    return checkpoint(tab, *entry);
  }
  return {};
}

boost::system::result<TransferService::Finished> TransferService::finish(Tab tab, Handle handle, std::uint64_t size,
                                                                         std::string_view sha256_hex) {
  const auto it = entries_.find({tab, handle});
  if (it == entries_.end()) return core::make_error_code(Errc::unknown_handle);
  if (!is_hex_digest(sha256_hex)) return core::make_error_code(Errc::malformed);
  auto& entry = it->second;
  if (entry.landed) return finish_again(it, size, lowercase(sha256_hex));
  Finished finished{.transfer_id = entry.key.transfer_id, .index = entry.key.index};
  if (const auto ec = activate(entry)) {
    finished.error = ec;
    return finished;
  }
  const auto sha256 = lowercase(sha256_hex);
  auto placed = entry.file->finish(size, sha256, entry.path);
  if (!placed) {
    finished.error = placed.error();
    logger_->info("file {} of transfer {} from {} did not finish: {}", entry.key.index, entry.key.transfer_id,
                  entry.key.peer, placed.error().message());
    if (!entry.file->is_open()) erase(it);  // a hash mismatch removed it: it must be sent again
    return finished;
  }
  if (hooks_.progress) hooks_.progress(Progress{tab, entry.key.peer, entry.key.transfer_id, entry.key.index, size, size});
  finished.file = ReceivedFile{.name = std::move(*placed),
                               .size = size,
                               .sha256 = sha256,
                               .from = entry.key.peer,
                               .received_at = clock_.unix_ms(),
                               .transfer_id = entry.key.transfer_id,
                               .index = entry.key.index};
  logger_->info("received a file of {} bytes from {} (transfer {}, file {})", size, entry.key.peer,
                entry.key.transfer_id, entry.key.index);
  logger_->debug("it is {}", finished.file.name);
  erase(it);
  return finished;
}

TransferService::Finished TransferService::finish_again(std::map<Slot, Entry>::iterator it, std::uint64_t size,
                                                        const std::string& sha256) {
  auto& entry = it->second;
  Finished finished{.transfer_id = entry.key.transfer_id, .index = entry.key.index};
  const auto& landed = *entry.landed;
  if (size != landed.size) {
    finished.error = core::make_error_code(Errc::size_mismatch);
    return finished;  // as for a partial file: the handle stays
  }
  if (sha256 != landed.sha256) {
    // Not the file that landed (the sender's copy changed): it is not received a second time.
    finished.error = core::make_error_code(Errc::hash_mismatch);
    logger_->info("file {} of transfer {} from {} landed before with another SHA-256", entry.key.index,
                  entry.key.transfer_id, entry.key.peer);
    erase(it);
    return finished;
  }
  if (hooks_.progress) {
    hooks_.progress(Progress{it->first.first, entry.key.peer, entry.key.transfer_id, entry.key.index, size, size});
  }
  logger_->info("file {} of transfer {} from {} had landed before; finished again", entry.key.index,
                entry.key.transfer_id, entry.key.peer);
  finished.file = landed;
  finished.again = true;
  erase(it);
  return finished;
}

boost::system::error_code TransferService::cancel(std::string_view peer, std::string_view transfer_id) {
  if (!identity::looks_like_peer_id(peer) || !is_valid_transfer_id(transfer_id)) {
    return core::make_error_code(Errc::malformed);
  }
  const std::string peer_id(peer);
  const std::string tid(transfer_id);
  auto it = by_key_.lower_bound(Key{peer_id, tid, 0});
  std::size_t closed = 0;
  while (it != by_key_.end() && it->first.peer == peer_id && it->first.transfer_id == tid) {
    const auto entry = entries_.find(it->second);
    ++it;  // erase() removes the current key
    if (entry->second.file) {
      if (const auto ec = entry->second.file->discard()) {
        logger_->warn("could not remove a partial file of a cancelled transfer: {}", ec.message());
      }
    }
    erase(entry);
    ++closed;
  }
  const auto removed = PartialFile::discard_transfer(folder_, scoped_id(peer, transfer_id));
  if (!removed) {
    logger_->warn("could not list the partial files of cancelled transfer {}: {}", tid, removed.error().message());
    return removed.error();
  }
  logger_->info("transfer {} from {} was cancelled ({} open files closed, {} partial files removed)", tid, peer_id,
                closed, *removed);
  return {};
}

void TransferService::tab_closed(Tab tab) {
  auto it = entries_.lower_bound({tab, 0});
  while (it != entries_.end() && it->first.first == tab) erase(it++);
  next_handle_.erase(tab);
  handle_counts_.erase(tab);
}

std::optional<core::Clock::TimePoint> TransferService::checkpoint_due() {
  const auto now = clock_.now();
  for (const auto& slot : std::set<Slot>(active_)) {
    auto& entry = entries_.at(slot);
    if (entry.file->received() > entry.file->durable() && now - entry.last_checkpoint >= config_.checkpoint_interval) {
      if (const auto ec = checkpoint(slot.first, entry)) {
        logger_->warn("checkpoint of file {} of transfer {} failed: {}", entry.key.index, entry.key.transfer_id,
                      ec.message());
        entry.last_checkpoint = now;  // tried: again after an interval, not in a tight loop
      }
    }
  }
  return next_checkpoint();
}

std::optional<core::Clock::TimePoint> TransferService::next_checkpoint() const {
  std::optional<core::Clock::TimePoint> next;
  for (const auto& slot : active_) {
    const auto& entry = entries_.at(slot);
    if (entry.file->received() == entry.file->durable()) continue;
    const auto due = entry.last_checkpoint + config_.checkpoint_interval;
    if (!next || due < *next) next = due;
  }
  return next;
}

boost::system::result<PartialFileSweeper::Result> TransferService::sweep() {
  auto result = sweeper_.sweep(folder_);
  if (!result) {
    logger_->warn("could not sweep the partial files in {}: {}", folder_.partial_path().string(),
                  result.error().message());
  } else if (result->removed > 0 || result->failed > 0) {
    logger_->info("removed {} partial files ({} bytes) untouched for {} hours{}", result->removed,
                  result->bytes_removed,
                  std::chrono::duration_cast<std::chrono::hours>(config_.partial_max_age).count(),
                  result->failed ? " (" + std::to_string(result->failed) + " could not be removed)" : "");
  }
  return result;
}

TransferService::Entry* TransferService::find(Tab tab, Handle handle) {
  const auto it = entries_.find({tab, handle});
  return it == entries_.end() ? nullptr : &it->second;
}

boost::system::error_code TransferService::activate(Entry& entry) {
  if (entry.file) return {};
  if (active_.size() >= config_.max_active_files) {
    // Close the least recently written file; its partial file stays, and it reopens when its bytes come again.
    const auto lru = std::min_element(active_.begin(), active_.end(), [this](const Slot& a, const Slot& b) {
      return entries_.at(a).last_used < entries_.at(b).last_used;
    });
    entries_.at(*lru).file.reset();
    active_.erase(lru);
  }
  if (const auto ec = folder_.ensure_partial_folder()) return ec;
  auto file = PartialFile::open(folder_, entry.scoped_id, entry.key.index, entry.size);
  if (!file) return file.error();
  entry.file = std::move(*file);
  entry.last_checkpoint = clock_.now();
  const auto owner = by_key_.at(entry.key);
  active_.insert(owner);
  return {};
}

boost::system::error_code TransferService::checkpoint(Tab tab, Entry& entry) {
  const auto durable = entry.file->checkpoint();
  if (!durable) return durable.error();
  entry.last_checkpoint = clock_.now();
  if (hooks_.progress) {
    hooks_.progress(
        Progress{tab, entry.key.peer, entry.key.transfer_id, entry.key.index, entry.file->received(), *durable});
  }
  return {};
}

bool TransferService::fits(std::uint64_t needed) const {
  const auto available = folder_.available_bytes();
  if (!available) return true;  // the write itself will say
  const auto capacity = folder_.capacity_bytes();
  const auto margin = std::min(config_.min_free_bytes, capacity ? *capacity / 100 * config_.min_free_percent : 0);
  return *available >= margin && *available - margin >= reserved_ && *available - margin - reserved_ >= needed;
}

void TransferService::erase(std::map<Slot, Entry>::iterator it) {
  const auto slot = it->first;
  reserved_ -= std::min(reserved_, it->second.reserved);
  by_key_.erase(it->second.key);
  active_.erase(slot);
  if (const auto count = handle_counts_.find(slot.first); count != handle_counts_.end() && count->second > 0) {
    --count->second;
  }
  entries_.erase(it);
}

}  // namespace peerdrop::transfer
