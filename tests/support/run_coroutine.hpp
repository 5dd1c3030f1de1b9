#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <stdexcept>

namespace peerdrop::testing {

// Runs a coroutine to completion on `io` (with a deadline) and returns its result.
template <typename T>
T run_coroutine(boost::asio::io_context& io, boost::asio::awaitable<T> coroutine,
                std::chrono::seconds deadline = std::chrono::seconds(10)) {
  auto future = boost::asio::co_spawn(io, std::move(coroutine), boost::asio::use_future);
  io.restart();
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    if (std::chrono::steady_clock::now() > until) throw std::runtime_error("coroutine did not finish in time");
    io.run_one_for(std::chrono::milliseconds(50));
  }
  return future.get();
}

}  // namespace peerdrop::testing
