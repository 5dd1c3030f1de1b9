#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerdrop::cli {

// The part of GET /api/settings (and of PUT's answer) that `peerdrop` uses.
struct DaemonSettings {
  std::string name;
  std::vector<std::string> auto_accept;  // ids of the trusted peers: their files are accepted without asking
  std::string download_dir;
};

// Nothing unless name, autoAccept (an array of strings) and downloadDir are there with their types.
std::optional<DaemonSettings> parse_daemon_settings(std::string_view body);

}  // namespace peerdrop::cli
