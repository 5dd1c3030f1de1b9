#include "channel/identity_certificate.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "core/errc.hpp"
#include "core/startup_error.hpp"
#include "identity/peer_id.hpp"

namespace peerdrop::channel {

namespace {

constexpr std::int64_t kDay = 24 * 60 * 60;

[[noreturn]] void fail(const char* what) {
  throw core::StartupError(std::string("cannot make this daemon's TLS certificate: ") + what);
}

}  // namespace

void IdentityCertificate::Deleter::operator()(x509_st* certificate) const { X509_free(certificate); }
void IdentityCertificate::Deleter::operator()(evp_pkey_st* key) const { EVP_PKEY_free(key); }

IdentityCertificate IdentityCertificate::create(const identity::Identity& identity, std::int64_t now_unix) {
  return create(identity, now_unix - kDay, now_unix + 3650 * kDay);
}

IdentityCertificate IdentityCertificate::create(const identity::Identity& identity, std::int64_t not_before,
                                                std::int64_t not_after) {
  IdentityCertificate out;
  identity.with_private_seed([&](std::span<const std::uint8_t, 32> seed) {
    out.key_.reset(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  });
  if (!out.key_) fail("OpenSSL refused the Ed25519 key");
  out.certificate_.reset(X509_new());
  X509* x = out.certificate_.get();
  if (!x || !X509_set_version(x, 2)) fail("X509_new");
  std::uint64_t serial = 0;
  randombytes_buf(&serial, sizeof serial);
  if (!ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial >> 1)) fail("serial number");
  if (!ASN1_TIME_set(X509_getm_notBefore(x), static_cast<time_t>(not_before)) ||
      !ASN1_TIME_set(X509_getm_notAfter(x), static_cast<time_t>(not_after))) {
    fail("validity");
  }
  X509_NAME* name = X509_get_subject_name(x);
  const auto& id = identity.peer_id();
  if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(id.c_str()), -1,
                                  -1, 0) ||
      !X509_set_issuer_name(x, name) || !X509_set_pubkey(x, out.key_.get())) {
    fail("subject");
  }
  if (X509_sign(x, out.key_.get(), nullptr) == 0) fail("signing");  // Ed25519 takes no digest
  return out;
}

boost::system::result<std::string> peer_id_of(x509_st* certificate, std::int64_t now_unix) {
  EVP_PKEY* key = certificate ? X509_get0_pubkey(certificate) : nullptr;
  if (!key || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) return core::make_error_code(core::Errc::malformed);
  identity::PublicKey raw{};
  std::size_t length = raw.size();
  if (EVP_PKEY_get_raw_public_key(key, raw.data(), &length) != 1 || length != raw.size()) {
    return core::make_error_code(core::Errc::malformed);
  }
  auto now = static_cast<time_t>(now_unix);
  if (X509_cmp_time(X509_get0_notBefore(certificate), &now) >= 0 ||
      X509_cmp_time(X509_get0_notAfter(certificate), &now) <= 0) {
    return core::make_error_code(core::Errc::expired);
  }
  return identity::derive_peer_id(raw);
}

}  // namespace peerdrop::channel
