#pragma once

#include <boost/system/result.hpp>
#include <vector>

#include "core/unique_fd.hpp"
#include "transfer/file_name_sanitizer.hpp"
#include "transfer/received_file.hpp"

namespace peerdrop::transfer {

// What the HTTP API needs to list and serve received files
// (GET /api/files, GET /api/files/download). ReceivedFiles implements it;
// tests use a fake.
class FileLibrary {
 public:
  static constexpr std::size_t kListedFiles = 200;

  virtual ~FileLibrary() = default;

  // The newest kListedFiles received files, newest first.
  virtual std::vector<ReceivedFile> recent_files() = 0;
  // The file at `path` in the download folder, opened for reading without
  // following a link (DownloadFolder::open_file); an error if it is not there.
  virtual boost::system::result<core::UniqueFd> open_file(const SanitizedPath& path) const = 0;
};

}  // namespace peerdrop::transfer
