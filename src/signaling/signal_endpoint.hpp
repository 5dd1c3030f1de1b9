#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace peerdrop::signaling {

// One daemon-to-daemon signal exchange (POST /api/signal), as plain data:
// the HTTP layer reads the request's headers and body into it and writes the
// reply back as a response (docs/protocol.md, "Signal exchange").
struct SignalExchangeRequest {
  std::string_view hello;         // X-PeerDrop-Hello: the asker's signed probe packet, base64
  std::uint64_t ack = 0;          // X-PeerDrop-Ack: the asker has our messages up to here
  bool poll = false;              // X-PeerDrop-Poll: 1 (hold the answer until we have something)
  bool cannot_reach_you = false;  // X-PeerDrop-Cannot-Reach-You: 1
  std::string_view body;          // framed envelopes
  std::string client_ip;
};

struct SignalExchangeReply {
  enum class Refusal { none, bad_request, busy, replayed };
  Refusal refusal = Refusal::none;
  std::string message;  // why, for a refusal
  std::uint64_t ack = 0;
  bool cannot_reach_you = false;
  std::vector<std::uint8_t> body;  // framed envelopes for the asker
};

// Who answers signal exchanges: SignalingService; tests use a fake.
class SignalEndpoint {
 public:
  virtual ~SignalEndpoint() = default;
  // `request` outlives the awaitable (the caller co_awaits it at once).
  virtual boost::asio::awaitable<SignalExchangeReply> exchange(const SignalExchangeRequest& request) = 0;
};

}  // namespace peerdrop::signaling
