#pragma once

#include <boost/system/result.hpp>
#include <filesystem>

#include "control/control_endpoint.hpp"

namespace peerdrop::control {

// <data-dir>/control-endpoint, while the daemon runs: written (mode 0600,
// replaced whole, so a reader never sees half of it) once its HTTP port is
// bound, removed when the daemon stops cleanly. A daemon that was killed
// leaves it behind; its reader tells that by the pid and the id
// (docs/protocol.md, "The control endpoint file").
class ControlEndpointFile {
 public:
  // Throws core::StartupError when the file cannot be written.
  ControlEndpointFile(const std::filesystem::path& data_dir, const ControlEndpoint& endpoint);
  ControlEndpointFile(const ControlEndpointFile&) = delete;
  ControlEndpointFile& operator=(const ControlEndpointFile&) = delete;
  ~ControlEndpointFile();

  const ControlEndpoint& endpoint() const { return endpoint_; }

  // What data_dir/control-endpoint says: the errno of opening it (ENOENT: no
  // daemon runs there, or none ever did), core::Errc::too_large or
  // core::Errc::malformed (parse_control_endpoint).
  static boost::system::result<ControlEndpoint> read(const std::filesystem::path& data_dir);

 private:
  std::filesystem::path path_;
  ControlEndpoint endpoint_;
};

}  // namespace peerdrop::control
