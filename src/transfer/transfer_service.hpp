#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "core/clock.hpp"
#include "core/logging.hpp"
#include "transfer/download_folder.hpp"
#include "transfer/file_name_sanitizer.hpp"
#include "transfer/partial_file.hpp"
#include "transfer/partial_file_sweeper.hpp"
#include "transfer/received_file.hpp"
#include "transfer/transfer_config.hpp"

namespace peerdrop::transfer {

// The receiving daemon's side of a file transfer (docs/protocol.md, "File
// transfer, version 1"): UI tabs open files they receive from a peer, stream
// their bytes in (binary frames), and finish them; this writes them to
// partial files, checkpoints them, verifies them and moves them into place.
//
// - Handles are per tab (a tab's number for one open file); a tab that
//   closes closes its files, and their partial files stay for resuming.
// - A file is named by (sending peer, transfer id, index). Its partial file's
//   name comes from SHA-256("<peer>:<transfer id>"), so the ids of two peers
//   never meet and no peer can name another's partial files. Opening a file
//   again (another tab, a reload, a restart) answers the durable offset to
//   resume from; the newest opener takes the file over.
// - A file holds a descriptor only while it is written (at most
//   max_active_files at once; the least recently written one is closed and
//   reopened when its bytes come again), so a request of thousands of files
//   can open them all up front.
// - A finish is idempotent: a file that already landed (the finished lookup
//   knows its final name, size and SHA-256 by peer, transfer id and index)
//   opens as complete (offset = size), and finishing it again answers the
//   name it got instead of receiving it a second time as "name (1).ext"
//   (a receiving page reloaded between the move into place and
//   file_finished, or a daemon restarted there).
// - Checkpoints (fdatasync) every checkpoint_bytes or checkpoint_interval,
//   whichever comes first, and at finish; each one is reported as Progress.
//   checkpoint_due() covers a stream that stops between two checkpoints.
//
// Everything is synchronous and runs on the caller's thread (the event
// loop); time comes from the injected clock. Failures are values.
class TransferService {
 public:
  using Tab = std::uint64_t;     // a UI tab (ui::UiHub's session id)
  using Handle = std::uint32_t;  // a tab's number for one open file, from 1

  // The protocol's transfer ids: 22 to 32 characters of [A-Za-z0-9_-].
  static constexpr std::size_t kMinTransferIdBytes = 22;
  static constexpr std::size_t kMaxTransferIdBytes = 32;
  static bool is_valid_transfer_id(std::string_view transfer_id);
  // The partial files' id for a peer's transfer: hex SHA-256 of "<peer>:<transfer id>".
  static std::string scoped_id(std::string_view peer, std::string_view transfer_id);

  struct OpenRequest {
    std::string peer;         // the sending peer's id (identity::looks_like_peer_id)
    std::string transfer_id;  // the sender's tid
    std::uint32_t index = 0;  // the file's index in the request
    std::string path;         // relative path as the sender offered it
    std::uint64_t size = 0;   // announced size in bytes
  };
  struct Opened {
    Handle handle = 0;
    std::uint64_t offset = 0;  // durable bytes already held: the sender resumes here
    std::string name;          // the sanitized relative path (before any "name (1).ext"), or the final one if complete
    bool complete = false;     // it landed before: offset = size, and finish answers its final name
  };
  // After every checkpoint, for the tab that has the file open.
  struct Progress {
    Tab tab = 0;
    std::string peer;  // the sending peer: transfer ids are unique per peer only
    std::string transfer_id;
    std::uint32_t index = 0;
    std::uint64_t received = 0;
    std::uint64_t durable = 0;
  };
  struct FrameResult {
    boost::system::error_code error;  // empty: written (or a duplicate, skipped)
    std::optional<Handle> handle;     // the frame's handle, if its header could be read
  };
  struct Finished {
    std::string transfer_id;
    std::uint32_t index = 0;
    boost::system::error_code error;  // empty: `file` is in place
    ReceivedFile file;
    bool again = false;  // it had landed before (a repeated finish): nothing was moved now
  };
  struct Hooks {
    std::function<void(const Progress&)> progress;
    // A file of a peer's transfer that landed before, if it is known (ReceivedFiles::find).
    std::function<std::optional<ReceivedFile>(const std::string& peer, const std::string& transfer_id,
                                              std::uint32_t index)>
        finished_lookup;
  };

  // `folder` and `clock` must outlive this object.
  TransferService(DownloadFolder& folder, const TransferConfig& config, const core::Clock& clock,
                  core::Logger logger, Hooks hooks = {});

  const DownloadFolder& folder() const { return folder_; }

  // file_open. Errors (core::Errc): malformed (peer or transfer id),
  // too_large (size), a FileNameSanitizer refusal (core::is_path_error),
  // too_many_files, disk_full (the rest of the file does not fit beside the
  // rest of every open file and the free-space margin),
  // path_blocked, or a system error.
  boost::system::result<Opened> open(Tab tab, const OpenRequest& request);

  // A binary frame (parse_file_frame, then write).
  FrameResult receive_frame(Tab tab, std::span<const std::uint8_t> frame);
  // Errors: unknown_handle, out_of_order (a gap), too_large (past the
  // announced size), in_use, disk_full, or a system error. Bytes that
  // overlap what was received are skipped.
  boost::system::error_code write(Tab tab, Handle handle, std::uint64_t offset, std::span<const std::uint8_t> bytes);

  // file_finish: verifies size and SHA-256 and moves the file into place.
  // The outer error is about the request (unknown_handle; malformed: not 64
  // hex digits); Finished::error about the file: size_mismatch (the handle
  // stays open: more bytes may come), hash_mismatch (the partial file is
  // removed: it must be sent again), or a failure to place it (it stays
  // verified, and finish may be called again). A file opened as complete
  // finishes with the name it got before (`again`) if size and SHA-256 are
  // the ones it landed with, else size_mismatch or hash_mismatch.
  boost::system::result<Finished> finish(Tab tab, Handle handle, std::uint64_t size, std::string_view sha256_hex);

  // file_cancel: closes every handle of the peer's transfer (in any tab) and
  // removes its partial files. malformed for a bad peer or transfer id.
  boost::system::error_code cancel(std::string_view peer, std::string_view transfer_id);

  // The tab's handles are closed; their partial files stay.
  void tab_closed(Tab tab);

  // Checkpoints every file with unsynced bytes whose last checkpoint is
  // checkpoint_interval old. Returns when the next one will be due, if any
  // file has unsynced bytes.
  std::optional<core::Clock::TimePoint> checkpoint_due();
  std::optional<core::Clock::TimePoint> next_checkpoint() const;

  // Removes partial files untouched for longer than partial_max_age (files open here are left alone).
  boost::system::result<PartialFileSweeper::Result> sweep();

  // Whether `bytes` more would fit beside the rest of every open file and the
  // free-space margin (an offer's total is checked before any file opens).
  bool can_take(std::uint64_t bytes) const { return fits(bytes); }

  std::size_t open_handles() const { return entries_.size(); }
  std::size_t active_files() const { return active_.size(); }

 private:
  struct Key {
    std::string peer;
    std::string transfer_id;
    std::uint32_t index = 0;
    auto operator<=>(const Key&) const = default;
  };
  using Slot = std::pair<Tab, Handle>;
  struct Entry {
    Key key;
    std::string scoped_id;
    SanitizedPath path;
    std::uint64_t size = 0;
    std::optional<PartialFile> file;  // open while it is being written
    std::optional<ReceivedFile> landed;  // it landed before: no partial file, complete
    core::Clock::TimePoint last_checkpoint{};
    std::uint64_t last_used = 0;
    std::uint64_t reserved = 0;  // bytes of it still to come, counted against the free space
  };

  Entry* find(Tab tab, Handle handle);
  Finished finish_again(std::map<Slot, Entry>::iterator it, std::uint64_t size, const std::string& sha256);
  boost::system::error_code activate(Entry& entry);
  boost::system::error_code checkpoint(Tab tab, Entry& entry);
  void erase(std::map<Slot, Entry>::iterator it);
  // Whether `needed` more bytes fit beside the reservations and the free-space margin.
  bool fits(std::uint64_t needed) const;

  DownloadFolder& folder_;
  const TransferConfig& config_;
  const core::Clock& clock_;
  core::Logger logger_;
  PartialFileSweeper sweeper_;
  Hooks hooks_;
  std::map<Slot, Entry> entries_;
  std::map<Key, Slot> by_key_;
  std::set<Slot> active_;              // entries whose file is open
  std::map<Tab, Handle> next_handle_;  // per tab
  std::map<Tab, std::size_t> handle_counts_;
  std::uint64_t use_counter_ = 0;
  std::uint64_t reserved_ = 0;  // the rest of every open file
};

}  // namespace peerdrop::transfer
