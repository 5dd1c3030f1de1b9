#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <string>
#include <vector>

#include "transfer/file_library.hpp"
#include "transfer/io_error.hpp"

namespace peerdrop::testing {

// FileLibrary with its files in memory (each served from a memfd) and a
// record of every path it was asked to open.
class FakeFileLibrary : public transfer::FileLibrary {
 public:
  std::vector<transfer::ReceivedFile> recent_files() override { return files; }
  boost::system::result<core::UniqueFd> open_file(const transfer::SanitizedPath& path) const override {
    opened.push_back(path.string());
    const auto it = contents.find(path.string());
    if (it == contents.end()) return transfer::io_error(ENOENT);
    core::UniqueFd fd(::memfd_create("peerdrop-test", MFD_CLOEXEC));
    if (!fd || ::write(fd.get(), it->second.data(), it->second.size()) != static_cast<ssize_t>(it->second.size())) {
      return transfer::io_error(errno);
    }
    return fd;
  }

  std::vector<transfer::ReceivedFile> files;
  std::map<std::string, std::string> contents;  // relative path -> bytes
  mutable std::vector<std::string> opened;
};

}  // namespace peerdrop::testing
