#include "transfer/download_folder.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <boost/system/errc.hpp>
#include <cerrno>
#include <cstdio>

#include "core/errc.hpp"
#include "transfer/io_error.hpp"

namespace peerdrop::transfer {
namespace {

constexpr int kFolderFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

// `name` inside `parent` as a folder, created (with `mode`) if missing; a link or
// anything but a folder there is Errc::path_blocked. The parent is synced
// after a creation, so the new folder survives a power cut.
boost::system::result<core::UniqueFd> open_or_create_folder(int parent, const std::string& name, mode_t mode) {
  for (int attempt = 0;; ++attempt) {
    core::UniqueFd folder(::openat(parent, name.c_str(), kFolderFlags));
    if (folder) return folder;
    if (errno == ELOOP || errno == ENOTDIR) return core::make_error_code(core::Errc::path_blocked);
    if (errno != ENOENT || attempt > 0) return io_error(errno);
    if (::mkdirat(parent, name.c_str(), mode) != 0 && errno != EEXIST) return io_error(errno);
    if (::fsync(parent) != 0) return io_error(errno);
  }
}

// Moves from_dir/from to to_dir/to unless `to` exists (then EEXIST).
boost::system::error_code rename_no_replace(int from_dir, const char* from, int to_dir, const char* to) {
  if (::renameat2(from_dir, from, to_dir, to, RENAME_NOREPLACE) == 0) return {};
  if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) return io_error(errno);
  // This file system cannot rename without replacing: a hard link fails on a
  // taken name instead. Once it exists the file is in place; a partial name
  // left behind (unlink failed) is removed by the sweeper in time.
  if (::linkat(from_dir, from, to_dir, to, 0) != 0) return io_error(errno);
  ::unlinkat(from_dir, from, 0);
  return {};
}

boost::system::result<core::UniqueFd> duplicate_fd(const core::UniqueFd& fd) {
  core::UniqueFd copy(::fcntl(fd.get(), F_DUPFD_CLOEXEC, 0));
  if (!copy) return io_error(errno);
  return copy;
}

}  // namespace

boost::system::result<DownloadFolder> DownloadFolder::open(const std::filesystem::path& dir) {
  std::error_code created;
  std::filesystem::create_directories(dir, created);
  if (created) return io_error(created.value());
  core::UniqueFd folder(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!folder) return io_error(errno);
  auto partial = open_or_create_folder(folder.get(), std::string(kPartialDirName), 0700);
  if (!partial) return partial.error();
  if (::fchmod(partial->get(), 0700) != 0) return io_error(errno);
  return DownloadFolder(dir, std::move(folder), std::move(*partial));
}

boost::system::error_code DownloadFolder::ensure_partial_folder() {
  struct stat st {};
  if (::fstat(partial_dir_.get(), &st) != 0) return io_error(errno);
  if (st.st_nlink > 0) return {};  // a removed directory has no links left
  auto partial = open_or_create_folder(dir_.get(), std::string(kPartialDirName), 0700);
  if (!partial) return partial.error();
  if (::fchmod(partial->get(), 0700) != 0) return io_error(errno);
  partial_dir_ = std::move(*partial);
  return {};
}

boost::system::result<DownloadFolder> DownloadFolder::duplicate() const {
  auto folder = duplicate_fd(dir_);
  if (!folder) return folder.error();
  auto partial = duplicate_fd(partial_dir_);
  if (!partial) return partial.error();
  return DownloadFolder(path_, std::move(*folder), std::move(*partial));
}

boost::system::result<std::string> DownloadFolder::move_into_place(std::string_view partial_name,
                                                                   const SanitizedPath& to) const {
  const auto& components = to.components();
  std::string relative;
  core::UniqueFd subfolder;
  int parent = dir_.get();
  for (std::size_t i = 0; i + 1 < components.size(); ++i) {
    auto next = open_or_create_folder(parent, components[i], 0777);
    if (!next) return next.error();
    subfolder = std::move(*next);
    parent = subfolder.get();
    relative.append(components[i]).push_back('/');
  }

  const std::string from(partial_name);
  for (unsigned n = 0; n <= kMaxNumberedCopies; ++n) {
    const std::string name = n == 0 ? to.file_name() : FileNameSanitizer::numbered(to.file_name(), n);
    const auto moved = rename_no_replace(partial_dir_.get(), from.c_str(), parent, name.c_str());
    if (moved == boost::system::errc::file_exists) continue;
    if (moved) return moved;
    // The file has moved whatever the sync says: a failed sync only weakens
    // what survives a power cut, and reporting a failure now would send the
    // caller looking for a partial file that is gone. A rename is one
    // journaled change: syncing the folder it lands in commits it whole, the
    // partial folder's side included.
    ::fsync(parent);
    return relative + name;
  }
  return core::make_error_code(core::Errc::name_taken);
}

boost::system::result<core::UniqueFd> DownloadFolder::open_file(const SanitizedPath& path) const {
  const auto& components = path.components();
  core::UniqueFd subfolder;
  int parent = dir_.get();
  for (std::size_t i = 0; i + 1 < components.size(); ++i) {
    core::UniqueFd next(::openat(parent, components[i].c_str(), kFolderFlags));
    if (!next) {
      if (errno == ELOOP || errno == ENOTDIR) return core::make_error_code(core::Errc::path_blocked);
      return io_error(errno);
    }
    subfolder = std::move(next);
    parent = subfolder.get();
  }
  // O_NONBLOCK: a FIFO someone put there must not block the opener (it is refused below).
  core::UniqueFd file(::openat(parent, path.file_name().c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!file) return errno == ELOOP ? core::make_error_code(core::Errc::path_blocked) : io_error(errno);
  struct stat status {};
  if (::fstat(file.get(), &status) != 0) return io_error(errno);
  if (!S_ISREG(status.st_mode)) return io_error(ENOENT);
  return file;
}

boost::system::result<std::uint64_t> DownloadFolder::capacity_bytes() const {
  struct statvfs status {};
  if (::fstatvfs(partial_dir_.get(), &status) != 0) return io_error(errno);
  return static_cast<std::uint64_t>(status.f_blocks) * status.f_frsize;
}

boost::system::result<std::uint64_t> DownloadFolder::available_bytes() const {
  struct statvfs status {};
  if (::fstatvfs(partial_dir_.get(), &status) != 0) return io_error(errno);
  return static_cast<std::uint64_t>(status.f_bavail) * status.f_frsize;
}

}  // namespace peerdrop::transfer
