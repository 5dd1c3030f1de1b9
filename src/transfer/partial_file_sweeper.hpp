#pragma once

#include <boost/system/result.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "core/clock.hpp"
#include "transfer/download_folder.hpp"

namespace peerdrop::transfer {

// Removes abandoned partial files: every "*.part" file of a download folder's
// partial folder whose last write (mtime) is more than max_age before the
// clock's wall time. A partial file open by a transfer (PartialFile holds a
// lock on it) is left alone however old it is; anything else in the folder
// is not ours to judge and is left alone too.
class PartialFileSweeper {
 public:
  static constexpr std::chrono::milliseconds kDefaultMaxAge = std::chrono::hours(7 * 24);

  struct Result {
    std::size_t removed = 0;
    std::uint64_t bytes_removed = 0;
    std::size_t in_use = 0;  // old enough, but open by a transfer
    std::size_t failed = 0;  // could not be opened or removed
  };

  explicit PartialFileSweeper(const core::Clock& clock, std::chrono::milliseconds max_age = kDefaultMaxAge)
      : clock_(clock), max_age_(max_age) {}

  // One pass; an error only when the partial folder cannot be listed.
  boost::system::result<Result> sweep(const DownloadFolder& folder) const;

 private:
  const core::Clock& clock_;
  std::chrono::milliseconds max_age_;
};

}  // namespace peerdrop::transfer
