#include "lane/upload_spool.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include "core/fd_io.hpp"
#include "core/unique_fd.hpp"

namespace peerdrop::lane {

namespace fs = std::filesystem;

std::string UploadSpool::path_of(const std::string& tid, std::uint32_t index) const {
  return (root_ / tid / std::to_string(index)).string();
}

std::uint64_t UploadSpool::size(const std::string& tid, std::uint32_t index) const {
  struct stat st {};
  if (::stat(path_of(tid, index).c_str(), &st) != 0) return 0;
  return static_cast<std::uint64_t>(st.st_size);
}

boost::system::error_code UploadSpool::write(const std::string& tid, std::uint32_t index, std::uint64_t offset,
                                             std::span<const std::uint8_t> bytes) {
  for (const auto& dir : {root_, root_ / tid}) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return {errno, boost::system::system_category()};
  }
  core::UniqueFd fd(::open(path_of(tid, index).c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) return {errno, boost::system::system_category()};
  return core::pwrite_all(fd.get(), std::as_bytes(bytes), static_cast<off_t>(offset));
}

void UploadSpool::remove(const std::string& tid) {
  std::error_code ec;
  fs::remove_all(root_ / tid, ec);
}

}  // namespace peerdrop::lane
