#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace peerdrop::transfer {

// Where received files go and how they are written (docs/protocol.md,
// "File transfer, version 1"; docs/architecture.md, "File transfer").
struct TransferConfig {
  // --download-dir; the command line fills in $HOME/Downloads/PeerDrop. Created at start.
  std::filesystem::path download_dir;
  // --partial-max-age: partial files untouched for longer are removed (at start, then every sweep_interval).
  std::chrono::milliseconds partial_max_age{std::chrono::hours(7 * 24)};
  std::chrono::milliseconds sweep_interval{std::chrono::hours(1)};
  // A checkpoint (fdatasync, then file_progress with the new durable offset)
  // after this many bytes or this much time since the last one, whichever comes first, and at finish.
  std::uint64_t checkpoint_bytes = 4 * 1024 * 1024;
  std::chrono::milliseconds checkpoint_interval{500};
  // Files (a descriptor each, and two for its folders) written at the same
  // time; beyond it the least recently written one is closed (and reopened
  // when its bytes come again).
  std::size_t max_active_files = 32;
  // Open handles (file_open without finish or cancel) per tab: one per file
  // of a request of up to 10,000 files, and another request beside it.
  std::size_t max_handles_per_tab = 20'000;
  // Free space kept in the download folder's filesystem: the smaller of
  // min_free_bytes and min_free_percent of its size. A file is opened only
  // if the rest of it, the rest of every other open file and this margin fit.
  std::uint64_t min_free_bytes = std::uint64_t{1} << 30;
  unsigned min_free_percent = 5;
  // The largest file: what JavaScript numbers hold exactly (2^53 - 1).
  std::uint64_t max_file_bytes = (std::uint64_t{1} << 53) - 1;
  // The `files` message goes to every tab at most this often (a folder of small files is one push).
  std::chrono::milliseconds files_push_delay{250};
};

}  // namespace peerdrop::transfer
