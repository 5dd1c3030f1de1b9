#pragma once

#include <filesystem>

namespace peerdrop::identity {

// An exclusive lock on <data_dir>/lock for the daemon's lifetime: a second
// daemon started on the same data dir stops at once with a clear message.
// (A *copy* of a data dir is caught by discovery instead: same id, other instance.)
class DataDirLock {
 public:
  explicit DataDirLock(const std::filesystem::path& data_dir);  // throws core::StartupError
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;
  ~DataDirLock();

 private:
  int fd_ = -1;
};

}  // namespace peerdrop::identity
