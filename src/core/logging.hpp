#pragma once

#include <spdlog/spdlog.h>

#include <exception>
#include <memory>
#include <string>

namespace peerdrop::core {

using Logger = std::shared_ptr<spdlog::logger>;

// A named logger per module, all writing to one stderr sink, so an operator
// sees "[discovery] peer ... is online" and can filter by module.
Logger make_logger(const std::string& module);
void set_log_level(const std::string& level);  // trace, debug, info, warn, error

// Completion handler for co_spawn: a coroutine that ends with an exception is
// logged instead of escaping into io_context::run().
inline auto log_exceptions(Logger logger, std::string what) {
  return [logger = std::move(logger), what = std::move(what)](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      logger->error("{} stopped unexpectedly: {}", what, ex.what());
    }
  };
}

}  // namespace peerdrop::core
