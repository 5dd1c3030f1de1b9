#pragma once

#include <filesystem>

namespace peerdrop::control {

// The data dir peerdropd uses without --data-dir, and so the one `peerdrop`
// talks to: $XDG_DATA_HOME/peerdrop, else ~/.local/share/peerdrop, else
// .peerdrop in the working directory (no $HOME).
std::filesystem::path default_data_dir();

}  // namespace peerdrop::control
