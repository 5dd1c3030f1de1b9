#pragma once

#include <boost/asio/awaitable.hpp>

#include "api/json_response.hpp"

namespace peerdrop::api {

struct ClientInfo;

// The daemon-to-daemon signal exchange (POST /api/signal). SignalingService
// implements it; the HTTP layer only routes to it.
class SignalEndpoint {
 public:
  virtual ~SignalEndpoint() = default;
  // Both arguments outlive the awaitable (the caller co_awaits it at once).
  virtual boost::asio::awaitable<Response> exchange(const Request& request, const ClientInfo& client) = 0;
};

}  // namespace peerdrop::api
