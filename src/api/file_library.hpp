#pragma once

#include <boost/system/result.hpp>
#include <vector>

#include "transfer/file_name_sanitizer.hpp"
#include "transfer/received_file.hpp"
#include "transfer/unique_fd.hpp"

namespace peerdrop::api {

// What the HTTP API needs to list and serve received files
// (GET /api/files, GET /api/files/download). app::TransferBridge implements
// it; tests use a fake.
class FileLibrary {
 public:
  static constexpr std::size_t kListedFiles = 200;

  virtual ~FileLibrary() = default;

  // The newest kListedFiles received files, newest first.
  virtual std::vector<transfer::ReceivedFile> recent_files() = 0;
  // The file at `path` in the download folder, opened for reading without
  // following a link (transfer::DownloadFolder::open_file); an error if it is not there.
  virtual boost::system::result<transfer::UniqueFd> open_file(const transfer::SanitizedPath& path) const = 0;
};

}  // namespace peerdrop::api
