#include "identity/data_dir_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/startup_error.hpp"

namespace peerdrop::identity {

DataDirLock::DataDirLock(const std::filesystem::path& data_dir) {
  const auto path = data_dir / "lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw core::StartupError("cannot open " + path.string());
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fd_ = -1;
    throw core::StartupError("another peerdropd is already running with data dir " + data_dir.string() +
                             "; give each daemon its own --data-dir");
  }
}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace peerdrop::identity
