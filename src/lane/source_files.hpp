#pragma once

#include <boost/system/result.hpp>
#include <cstddef>
#include <string>
#include <vector>

#include "lane/lane_transfer.hpp"

namespace peerdrop::lane {

// What a sender offers for the paths it was given: a file is offered under
// its own name; a folder as every regular file below it, under the folder's
// name and the path inside it ("photos/2026/a.jpg"). Links are not followed
// and other kinds of files (sockets, devices) are left out.
struct SourceFiles {
  std::vector<LaneFile> files;
  std::size_t skipped = 0;  // links and special files left out
};

// Errors: a system error (no such file, permission denied: the message
// names the path), too_many_files (more than `max_files`), malformed (a
// relative path: the caller makes them absolute).
boost::system::result<SourceFiles> collect_source_files(const std::vector<std::string>& paths, std::size_t max_files,
                                                        std::string& failed_path);

}  // namespace peerdrop::lane
