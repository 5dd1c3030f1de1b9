#pragma once

#include <boost/system/error_code.hpp>
#include <filesystem>

namespace peerdrop::cli {

// Opens a file in the desktop's default browser with `xdg-open`, started in
// a session of its own with its output discarded and not waited for (a
// browser started by it may run for hours).
class BrowserLauncher {
 public:
  // Whether there is a desktop to open a browser on ($DISPLAY or $WAYLAND_DISPLAY).
  static bool display_available();

  // The error of starting xdg-open (no_such_file_or_directory when it is not installed).
  boost::system::error_code open(const std::filesystem::path& file) const;
};

}  // namespace peerdrop::cli
