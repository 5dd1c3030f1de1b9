#include "core/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace peerdrop::core {
namespace {

spdlog::sink_ptr shared_sink() {
  static auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  return sink;
}

}  // namespace

Logger make_logger(const std::string& module) {
  if (auto existing = spdlog::get(module)) return existing;
  auto logger = std::make_shared<spdlog::logger>(module, shared_sink());
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [%n] %v");
  logger->set_level(spdlog::get_level());
  spdlog::register_logger(logger);
  return logger;
}

void set_log_level(const std::string& level) {
  spdlog::set_level(spdlog::level::from_str(level));
}

}  // namespace peerdrop::core
