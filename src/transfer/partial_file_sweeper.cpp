#include "transfer/partial_file_sweeper.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>
#include <memory>
#include <string_view>

#include "transfer/io_error.hpp"
#include "core/unique_fd.hpp"

namespace peerdrop::transfer {
namespace {

struct CloseDir {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

std::int64_t mtime_unix_ms(const struct stat& status) {
  return static_cast<std::int64_t>(status.st_mtim.tv_sec) * 1000 + status.st_mtim.tv_nsec / 1'000'000;
}

}  // namespace

boost::system::result<PartialFileSweeper::Result> PartialFileSweeper::sweep(const DownloadFolder& folder) const {
  // A descriptor of its own: a dup would share the listing position between sweeps.
  core::UniqueFd listing(::openat(folder.partial_dir_fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!listing) return io_error(errno);
  std::unique_ptr<DIR, CloseDir> dir(::fdopendir(listing.get()));
  if (!dir) return io_error(errno);
  const int dir_fd = listing.release();  // closedir closes it

  const auto now_ms = clock_.unix_ms();
  Result result;
  while (const dirent* entry = ::readdir(dir.get())) {
    const std::string_view name(entry->d_name);
    if (!name.ends_with(".part")) continue;
    core::UniqueFd file(::openat(dir_fd, entry->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!file && errno == ELOOP) continue;  // a link: not a partial file of ours
    struct stat status {};
    if (!file || ::fstat(file.get(), &status) != 0) {
      ++result.failed;
      continue;
    }
    if (!S_ISREG(status.st_mode) || now_ms - mtime_unix_ms(status) <= max_age_.count()) continue;
    if (::flock(file.get(), LOCK_EX | LOCK_NB) != 0) {
      ++(errno == EWOULDBLOCK ? result.in_use : result.failed);
      continue;
    }
    if (::unlinkat(dir_fd, entry->d_name, 0) != 0) {
      ++result.failed;
      continue;
    }
    ++result.removed;
    result.bytes_removed += static_cast<std::uint64_t>(status.st_size);
  }
  return result;
}

}  // namespace peerdrop::transfer
