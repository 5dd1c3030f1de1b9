#pragma once

#include <stdexcept>

namespace peerdrop::core {

// Thrown only while the daemon starts (config, bind, database, keys): main()
// prints its one-line message and exits non-zero. Never thrown on the data path.
class StartupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace peerdrop::core
