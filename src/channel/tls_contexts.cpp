#include "channel/tls_contexts.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstring>

#include "core/startup_error.hpp"

namespace peerdrop::channel {

namespace ssl = boost::asio::ssl;

namespace {

// ALPN: a length-prefixed list with one protocol.
const unsigned char kAlpnWire[] = {10, 'p', 'e', 'e', 'r', 'd', 'r', 'o', 'p', '/', '2'};

// OpenSSL calls select_alpn only for a ClientHello that offers ALPN; one
// without the extension is refused here, before anything else is done with it.
int require_alpn(SSL* ssl, int* alert, void*) {
  const unsigned char* offered = nullptr;
  std::size_t offered_length = 0;
  if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_application_layer_protocol_negotiation, &offered,
                                &offered_length) != 1) {
    *alert = SSL_AD_NO_APPLICATION_PROTOCOL;
    return SSL_CLIENT_HELLO_ERROR;
  }
  return SSL_CLIENT_HELLO_SUCCESS;
}

int select_alpn(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
                unsigned int in_length, void*) {
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, out_length, kAlpnWire, sizeof kAlpnWire, in, in_length) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;  // a client that does not speak version 2
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

void configure(ssl::context& context, const IdentityCertificate& certificate) {
  SSL_CTX* native = context.native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_3_VERSION) != 1 ||
      SSL_CTX_use_certificate(native, certificate.certificate()) != 1 ||
      SSL_CTX_use_PrivateKey(native, certificate.key()) != 1 || SSL_CTX_check_private_key(native) != 1) {
    throw core::StartupError("cannot set up TLS for the daemon channel (OpenSSL refused the identity certificate)");
  }
  SSL_CTX_set_options(native, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  context.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
}

}  // namespace

TlsContexts::TlsContexts(const IdentityCertificate& certificate, const core::Clock& clock)
    : clock_(clock), server_(ssl::context::tls_server), client_(ssl::context::tls_client) {
  configure(server_, certificate);
  configure(client_, certificate);
  SSL_CTX_set_client_hello_cb(server_.native_handle(), require_alpn, nullptr);
  SSL_CTX_set_alpn_select_cb(server_.native_handle(), select_alpn, nullptr);
  if (SSL_CTX_set_alpn_protos(client_.native_handle(), kAlpnWire, sizeof kAlpnWire) != 0) {
    throw core::StartupError("cannot set up TLS for the daemon channel (ALPN)");
  }
}

bool TlsContexts::agreed_on_alpn(const SSL* connection) {
  const unsigned char* selected = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(connection, &selected, &length);
  return length == sizeof kAlpnWire - 1 && std::memcmp(selected, kAlpnWire + 1, length) == 0;
}

std::function<bool(bool, ssl::verify_context&)> TlsContexts::verifier(std::string expected_id) const {
  return [this, expected_id = std::move(expected_id)](bool, ssl::verify_context& context) {
    X509_STORE_CTX* store = context.native_handle();
    // One self-signed certificate, nothing above it: OpenSSL's own verdict
    // (no trusted issuer) does not matter, the key does.
    if (X509_STORE_CTX_get_error_depth(store) != 0) return false;
    const auto id = peer_id_of(X509_STORE_CTX_get_current_cert(store), clock_.unix_ms() / 1000);
    return id && (expected_id.empty() || *id == expected_id);
  };
}

}  // namespace peerdrop::channel
