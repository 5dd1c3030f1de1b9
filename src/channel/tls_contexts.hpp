#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/verify_context.hpp>
#include <functional>
#include <string>

#include "channel/identity_certificate.hpp"
#include "core/clock.hpp"

namespace peerdrop::channel {

// The two OpenSSL contexts of the daemon channel: TLS 1.3 only, this
// daemon's certificate on both sides, a certificate required from the other
// side, ALPN "peerdrop/2" required both ways, no session tickets. The server
// refuses a ClientHello that offers no ALPN or only other protocols (alert
// no_application_protocol): nothing is ever downgraded. OpenSSL's client
// has no hook for the server's choice, so whoever connects checks
// agreed_on_alpn() after the handshake, before using the connection. Which peer
// a certificate may prove is decided per connection (verifier()).
class TlsContexts {
 public:
  static constexpr const char* kAlpn = "peerdrop/2";

  TlsContexts(const IdentityCertificate& certificate, const core::Clock& clock);  // StartupError

  boost::asio::ssl::context& server() { return server_; }
  boost::asio::ssl::context& client() { return client_; }

  // The verify callback for one connection: the other side's one certificate
  // is an Ed25519 key valid now, and its id is `expected_id` (any id when
  // empty: an inbound connection learns who it is).
  std::function<bool(bool, boost::asio::ssl::verify_context&)> verifier(std::string expected_id) const;

  // Whether a finished handshake selected ALPN "peerdrop/2" (false when the
  // server selected none).
  static bool agreed_on_alpn(const SSL* connection);

 private:
  const core::Clock& clock_;
  boost::asio::ssl::context server_;
  boost::asio::ssl::context client_;
};

}  // namespace peerdrop::channel
