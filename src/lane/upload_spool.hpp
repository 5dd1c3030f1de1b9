#pragma once

#include <boost/system/error_code.hpp>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

namespace peerdrop::lane {

// Where the bytes of files a page sends wait until they went to the peer:
// <root>/<tid>/<index>, owner-only. The page uploads each file (PUT, from
// the offset the spool already holds, so a closed tab resumes), the sender
// reads behind it, and the transfer's folder goes when the transfer ends.
class UploadSpool {
 public:
  explicit UploadSpool(std::filesystem::path root) : root_(std::move(root)) {}

  std::string path_of(const std::string& tid, std::uint32_t index) const;
  // Bytes held for the file (0 if none yet).
  std::uint64_t size(const std::string& tid, std::uint32_t index) const;
  // Writes `bytes` at `offset` (creating the folders and the file). Errors: system errors (ENOSPC …).
  boost::system::error_code write(const std::string& tid, std::uint32_t index, std::uint64_t offset,
                                  std::span<const std::uint8_t> bytes);
  void remove(const std::string& tid);

 private:
  std::filesystem::path root_;
};

}  // namespace peerdrop::lane
