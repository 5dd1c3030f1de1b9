#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/config.hpp"

namespace peerdrop::app {

struct ParsedCommandLine {
  std::optional<Config> config;  // set when the daemon should run
  int exit_code = 0;             // otherwise: exit with this (0 after --help/--version)
};

// Parses argv with CLI11 (a --config file may set the same keys) and fills in
// the defaults that depend on the machine (name, data dir).
ParsedCommandLine parse_command_line(int argc, const char* const* argv);

}  // namespace peerdrop::app
