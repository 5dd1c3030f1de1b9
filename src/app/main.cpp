#include <cstdio>
#include <exception>

#include "app/command_line.hpp"
#include "app/daemon.hpp"
#include "core/logging.hpp"
#include "core/startup_error.hpp"

int main(int argc, char** argv) {
  auto parsed = peerdrop::app::parse_command_line(argc, argv);
  if (!parsed.config) return parsed.exit_code;
  peerdrop::core::set_log_level(parsed.config->log_level);
  try {
    peerdrop::app::Daemon daemon(std::move(*parsed.config));
    return daemon.run();
  } catch (const peerdrop::core::StartupError& e) {
    std::fprintf(stderr, "peerdropd: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "peerdropd: unexpected error: %s\n", e.what());
    return 1;
  }
}
