#pragma once

#include <string>
#include <vector>

#include "signaling/signal_endpoint.hpp"

namespace peerdrop::testing {

// A SignalEndpoint that records each exchange's body and answers `reply`.
class FakeSignalEndpoint final : public signaling::SignalEndpoint {
 public:
  boost::asio::awaitable<signaling::SignalExchangeReply> exchange(
      const signaling::SignalExchangeRequest& request) override {
    bodies.emplace_back(request.body);
    co_return reply;
  }

  std::vector<std::string> bodies;
  signaling::SignalExchangeReply reply;
};

}  // namespace peerdrop::testing
