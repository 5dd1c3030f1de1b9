#include "control/data_dir.hpp"

#include <cstdlib>

namespace peerdrop::control {

std::filesystem::path default_data_dir() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) return std::filesystem::path(xdg) / "peerdrop";
  if (const char* home = std::getenv("HOME"); home && *home) {
    return std::filesystem::path(home) / ".local" / "share" / "peerdrop";
  }
  return std::filesystem::path(".peerdrop");
}

}  // namespace peerdrop::control
