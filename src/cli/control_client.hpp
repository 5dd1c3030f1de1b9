#pragma once

#include <boost/system/result.hpp>
#include <chrono>
#include <string>
#include <string_view>

#include "control/control_endpoint.hpp"

namespace peerdrop::cli {

// What the daemon answered.
struct HttpAnswer {
  int status = 0;
  std::string body;
};

// Requests to one daemon's HTTP API on this machine, each on a connection of
// its own, one deadline for the whole exchange. The control token goes in
// `Authorization: Bearer` when there is one (a client without it may only
// ask GET /api/health). Blocking: `peerdrop` does one thing at a time.
class ControlClient {
 public:
  static constexpr std::size_t kMaxAnswerBytes = 8 * 1024 * 1024;

  ControlClient(control::ControlEndpoint endpoint, std::string token, std::chrono::milliseconds timeout);

  // The answer, or why there is none: the socket's error (connection_refused:
  // nothing listens there), core::Errc::timeout when the deadline passed,
  // core::Errc::too_large for an answer over kMaxAnswerBytes.
  boost::system::result<HttpAnswer> request(std::string_view method, std::string_view target,
                                            std::string_view json_body = {}) const;

  const control::ControlEndpoint& endpoint() const { return endpoint_; }
  const std::string& token() const { return token_; }

 private:
  control::ControlEndpoint endpoint_;
  std::string token_;
  std::chrono::milliseconds timeout_;
};

}  // namespace peerdrop::cli
