#pragma once

#include <boost/system/result.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "identity/identity.hpp"

struct x509_st;
struct evp_pkey_st;

namespace peerdrop::channel {

// This daemon's identity as a TLS certificate: X.509, self-signed, its key
// the Ed25519 identity key, made at every start (nothing is stored). Peers
// pin the key, not the certificate: id = base32(SHA-256(public key)).
class IdentityCertificate {
 public:
  // Valid from a day before `now_unix` (clock skew) for ten years.
  static IdentityCertificate create(const identity::Identity& identity, std::int64_t now_unix);
  // Valid from `not_before` to `not_after` (Unix seconds): tests make expired ones.
  static IdentityCertificate create(const identity::Identity& identity, std::int64_t not_before,
                                    std::int64_t not_after);

  x509_st* certificate() const { return certificate_.get(); }
  evp_pkey_st* key() const { return key_.get(); }

 private:
  struct Deleter {
    void operator()(x509_st* certificate) const;
    void operator()(evp_pkey_st* key) const;
  };
  std::unique_ptr<evp_pkey_st, Deleter> key_;
  std::unique_ptr<x509_st, Deleter> certificate_;
};

// The peer id a certificate proves: its key is Ed25519 and it is valid at
// `now_unix`. Errors: core::Errc::malformed (not an Ed25519 key), expired
// (outside its validity).
boost::system::result<std::string> peer_id_of(x509_st* certificate, std::int64_t now_unix);

}  // namespace peerdrop::channel
