#include "control/control_endpoint_file.hpp"

#include <span>
#include <string>

#include "core/fd_io.hpp"
#include "core/startup_error.hpp"

namespace peerdrop::control {

ControlEndpointFile::ControlEndpointFile(const std::filesystem::path& data_dir, const ControlEndpoint& endpoint)
    : path_(data_dir / kControlEndpointFileName), endpoint_(endpoint) {
  const auto text = serialize(endpoint) + "\n";
  if (const auto ec = core::write_private_file(path_, std::as_bytes(std::span(text)))) {
    throw core::StartupError("cannot write " + path_.string() + " (" + ec.message() +
                             "), which tells the peerdrop command where this daemon listens");
  }
}

ControlEndpointFile::~ControlEndpointFile() {
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

boost::system::result<ControlEndpoint> ControlEndpointFile::read(const std::filesystem::path& data_dir) {
  auto text = core::read_small_file(data_dir / kControlEndpointFileName, kControlEndpointMaxBytes);
  if (!text) return text.error();
  return parse_control_endpoint(*text);
}

}  // namespace peerdrop::control
