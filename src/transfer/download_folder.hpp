#pragma once

#include <boost/system/result.hpp>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "transfer/file_name_sanitizer.hpp"
#include "core/unique_fd.hpp"

namespace peerdrop::transfer {

// The folder received files land in, and its partial-file folder
// `.peerdrop-partial` (mode 0700: incomplete files are nobody else's business;
// inside the download folder so a finished file is renamed, never copied).
// Holds a descriptor on each, so every path below them is resolved from the
// folder that was opened, one component at a time, never through a link.
class DownloadFolder {
 public:
  static constexpr std::string_view kPartialDirName = ".peerdrop-partial";
  static constexpr unsigned kMaxNumberedCopies = 999;  // "name (999).ext", then Errc::name_taken

  // Opens `dir` (created with its parents if missing) and its partial-file
  // folder (created 0700, or reset to 0700). A link or a file where the
  // partial folder should be is Errc::path_blocked.
  static boost::system::result<DownloadFolder> open(const std::filesystem::path& dir);

  // Makes sure the partial folder still exists: if someone deleted it while
  // the daemon runs, it is created again (0700) and the descriptor replaced,
  // so new partial files do not fail with ENOENT in a folder that is gone.
  boost::system::error_code ensure_partial_folder();

  // The same folders through new descriptors (for a PartialFile to keep).
  boost::system::result<DownloadFolder> duplicate() const;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path partial_path() const { return path_ / kPartialDirName; }
  // The partial folder's descriptor, valid while this object lives.
  int partial_dir_fd() const { return partial_dir_.get(); }

  // Moves the partial folder's `partial_name` to `to` inside the download
  // folder and returns the relative path it got ('/'-separated). Missing
  // folders of `to` are created; a link or a file where a folder should be is
  // Errc::path_blocked (a link is never followed). Nothing is ever replaced:
  // a taken name (a file, a folder, or another transfer finishing the same
  // name at the same moment) becomes "name (1).ext", "name (2).ext", … up to
  // kMaxNumberedCopies (renameat2 RENAME_NOREPLACE, or link + unlink where the
  // file system cannot do that). The directories are synced before it returns.
  boost::system::result<std::string> move_into_place(std::string_view partial_name, const SanitizedPath& to) const;

  // Opens the regular file `path` inside the download folder for reading,
  // resolved one component at a time from the folder's descriptor, never
  // through a link. Missing (or not a regular file, or in the partial
  // folder, which no sanitized path can name) is ENOENT; a link on the way is
  // Errc::path_blocked.
  boost::system::result<core::UniqueFd> open_file(const SanitizedPath& path) const;

  // Bytes the current user may still write in the folder's file system.
  boost::system::result<std::uint64_t> available_bytes() const;
  // The size of the filesystem the download folder is on.
  boost::system::result<std::uint64_t> capacity_bytes() const;

 private:
  DownloadFolder(std::filesystem::path path, core::UniqueFd dir, core::UniqueFd partial_dir)
      : path_(std::move(path)), dir_(std::move(dir)), partial_dir_(std::move(partial_dir)) {}

  std::filesystem::path path_;
  core::UniqueFd dir_;
  core::UniqueFd partial_dir_;
};

}  // namespace peerdrop::transfer
