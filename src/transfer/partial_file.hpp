#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "transfer/download_folder.hpp"
#include "transfer/file_name_sanitizer.hpp"
#include "transfer/sha256.hpp"
#include "core/unique_fd.hpp"

namespace peerdrop::transfer {

// One incoming file being written to
// `<download folder>/.peerdrop-partial/<transfer id>-<index>.part`.
//
// Bytes are accepted in order only: a write must start at or before
// received() (what overlaps the received prefix is a duplicate and is
// skipped); one that starts past it is Errc::out_of_order. The SHA-256 of the
// prefix is computed as it grows. checkpoint() makes the prefix durable
// (fdatasync) and durable() is what may be acknowledged to the sender.
//
// Opening a partial file that exists (a restart, a reconnect) resumes it: the
// file is synced, its size becomes received() and durable() (after a crash of
// the daemon that is everything written; after a power cut at least what was
// checkpointed, since ext4, XFS and btrfs never show unwritten blocks as data,
// and the end-to-end hash would catch a file system that did), and the hash is
// recomputed by reading it back (blocking: OpenSSL's SHA-256 runs at about
// 1.5 GiB/s here, so under a second per GiB already received). A file larger than
// max_size cannot be a prefix of this file and is started again from empty.
//
// finish() verifies size and hash and only then moves the file to its final
// name: a file under its final name is always complete and verified.
//
// While open, the file is locked (flock), so it cannot be opened twice and the
// sweeper leaves it alone. Destroying the object closes the file and keeps it
// for a later resume; discard() removes it. Every failure is a value: a full
// disk is Errc::disk_full, other system errors keep their errno.
// All I/O is synchronous (a checkpoint's fdatasync can take tens of
// milliseconds, a resume seconds) and the object is not thread-safe: whoever
// wires it in decides between the event loop and one writer thread.
class PartialFile {
 public:
  static constexpr std::size_t kMaxTransferIdBytes = 128;

  // transfer_id: 1 to kMaxTransferIdBytes of [A-Za-z0-9_-] (else
  // Errc::malformed), unique per sender; max_size: the file's announced size,
  // a write past it is Errc::too_large. A partial file already open is Errc::in_use.
  static boost::system::result<PartialFile> open(const DownloadFolder& folder, std::string_view transfer_id,
                                                 std::uint32_t index, std::uint64_t max_size);

  static bool is_valid_transfer_id(std::string_view transfer_id);
  // "<transfer id>-<index>.part"
  static std::string partial_name(std::string_view transfer_id, std::uint32_t index);

  // What open() would resume from, without keeping the file open: 0 if there
  // is no partial file (or one larger than max_size), else its size, once
  // synced (so it is durable). A link where the file should be is
  // Errc::path_blocked.
  static boost::system::result<std::uint64_t> resumable_size(const DownloadFolder& folder, std::string_view transfer_id,
                                                             std::uint32_t index, std::uint64_t max_size);

  // Removes every partial file of `transfer_id` ("<transfer id>-*.part")
  // that is not open (a cancelled transfer; close its open ones with
  // discard()). Returns how many were removed.
  static boost::system::result<std::size_t> discard_transfer(const DownloadFolder& folder,
                                                             std::string_view transfer_id);

  PartialFile(PartialFile&&) noexcept = default;
  PartialFile& operator=(PartialFile&&) noexcept = default;

  // The contiguous prefix written so far, and the part of it known to be on disk.
  std::uint64_t received() const { return received_; }
  std::uint64_t durable() const { return durable_; }
  std::uint64_t max_size() const { return max_size_; }
  const std::string& name() const { return name_; }
  // False after finish() succeeded, after discard(), and after a hash mismatch.
  bool is_open() const { return file_.get() >= 0; }

  // Writes `bytes` at `offset` (see above). On an error the bytes written
  // before it stay received (received() says how far it got).
  boost::system::error_code write(std::uint64_t offset, std::span<const std::uint8_t> bytes);

  // Syncs the received prefix to disk; returns durable(), now received().
  boost::system::result<std::uint64_t> checkpoint();

  // Verifies that exactly expected_size bytes were received and that their
  // SHA-256 is expected_sha256_hex (64 hex digits, else Errc::malformed), then
  // syncs the file and moves it to `to` (DownloadFolder::move_into_place: no
  // overwrite, "name (1).ext" on a collision). Returns the relative path the
  // file got.
  // - Errc::size_mismatch: the partial file is kept (nothing is known to be
  //   wrong with its bytes; more may come, or discard() it).
  // - Errc::hash_mismatch: the partial file is removed and this object closed:
  //   its bytes are known to be wrong somewhere, and resuming from them would
  //   only fail again; the file must be sent again from the start.
  // - any error of the move: the file stays verified in the partial folder and
  //   finish() may be called again.
  boost::system::result<std::string> finish(std::uint64_t expected_size, std::string_view expected_sha256_hex,
                                            const SanitizedPath& to);

  // Removes the partial file (a cancelled transfer) and closes this object.
  boost::system::error_code discard();

 private:
  PartialFile(DownloadFolder folder, core::UniqueFd file, std::string name, std::uint64_t max_size);
  boost::system::error_code resume();

  DownloadFolder folder_;
  core::UniqueFd file_;
  std::string name_;
  std::uint64_t max_size_ = 0;
  std::uint64_t received_ = 0;
  std::uint64_t durable_ = 0;
  bool folder_synced_ = false;  // the partial folder holds our file's name durably
  Sha256 hash_;
};

}  // namespace peerdrop::transfer
