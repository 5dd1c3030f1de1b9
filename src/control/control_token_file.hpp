#pragma once

#include <boost/system/result.hpp>
#include <filesystem>
#include <string>
#include <string_view>

namespace peerdrop::control {

// <data-dir>/control-token: the key of the daemon's control API (written by
// peerdropd, mode 0600), 52 characters of base32 and a line end. Whoever can
// read it may drive the daemon: the UI's link carries it, `peerdrop` sends it.
inline constexpr const char* kControlTokenFileName = "control-token";

// Whether `text` has a control token's form (52 of A-Z, 2-7).
bool is_control_token(std::string_view text);

// The token in data_dir/control-token: the errno of opening it, or
// core::Errc::malformed for anything but a token and an optional line end
// (a file over 64 bytes is not read).
boost::system::result<std::string> read_control_token(const std::filesystem::path& data_dir);

}  // namespace peerdrop::control
