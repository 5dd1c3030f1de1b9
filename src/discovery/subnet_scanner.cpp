#include "discovery/subnet_scanner.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

namespace peerdrop::discovery {

namespace asio = boost::asio;

SubnetScanner::SubnetScanner(asio::any_io_executor executor, HealthClient& client)
    : executor_(executor), client_(client) {}

asio::awaitable<SubnetScanner::Report> SubnetScanner::scan(std::vector<asio::ip::tcp::endpoint> targets,
                                                           Options options, FoundHandler on_found) {
  // Shared by the workers; lives in this frame, which outlives them (we wait for all).
  struct State {
    std::vector<asio::ip::tcp::endpoint> targets;
    std::size_t next = 0;
    std::size_t running = 0;
    Report report;
    asio::steady_timer done;
  };
  State state{std::move(targets), 0, 0, {}, asio::steady_timer(executor_, asio::steady_timer::time_point::max())};

  auto worker = [&]() -> asio::awaitable<void> {
    while (!stopped_ && state.next < state.targets.size()) {
      const auto target = state.targets[state.next++];
      ++state.report.probed;
      auto answer = co_await client_.probe(target, options.connect_timeout, options.total_timeout);
      if (answer) {
        ++state.report.found;
        if (on_found) on_found(*answer);
      }
    }
    if (--state.running == 0) state.done.cancel();
  };

  const auto workers = std::min(options.concurrency, state.targets.size());
  if (workers == 0) co_return state.report;
  state.running = workers;
  for (std::size_t i = 0; i < workers; ++i) asio::co_spawn(executor_, worker(), asio::detached);
  while (state.running > 0) {
    co_await state.done.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  co_return state.report;
}

}  // namespace peerdrop::discovery
