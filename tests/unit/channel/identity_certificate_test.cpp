#include "channel/identity_certificate.hpp"

#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "core/errc.hpp"

namespace peerdrop::channel {
namespace {

constexpr std::int64_t kNow = 1'764'000'000;

TEST(IdentityCertificate, ProvesTheIdentitysPeerIdWhileItIsValid) {
  const auto identity = identity::Identity::generate();
  const auto certificate = IdentityCertificate::create(identity, kNow);
  EXPECT_EQ(peer_id_of(certificate.certificate(), kNow).value(), identity.peer_id());
  EXPECT_EQ(peer_id_of(certificate.certificate(), kNow + 3600 * 24 * 365).value(), identity.peer_id());
  // A day of clock skew is allowed; beyond its ten years it has expired.
  EXPECT_TRUE(peer_id_of(certificate.certificate(), kNow - 3600));
  EXPECT_EQ(peer_id_of(certificate.certificate(), kNow - 2 * 24 * 3600).error(), core::Errc::expired);
  EXPECT_EQ(peer_id_of(certificate.certificate(), kNow + 3651LL * 24 * 3600).error(), core::Errc::expired);
}

TEST(IdentityCertificate, AnExpiredCertificateProvesNothing) {
  const auto identity = identity::Identity::generate();
  const auto expired = IdentityCertificate::create(identity, kNow - 7200, kNow - 3600);
  EXPECT_EQ(peer_id_of(expired.certificate(), kNow).error(), core::Errc::expired);
}

TEST(IdentityCertificate, OnlyAnEd25519KeyIsAnIdentity) {
  EXPECT_EQ(peer_id_of(nullptr, kNow).error(), core::Errc::malformed);
  // A certificate with a P-256 key: a well-formed certificate, but no PeerDrop identity.
  EVP_PKEY* key = EVP_EC_gen("P-256");
  ASSERT_NE(key, nullptr);
  X509* certificate = X509_new();
  X509_set_version(certificate, 2);
  ASN1_TIME_set(X509_getm_notBefore(certificate), kNow - 60);
  ASN1_TIME_set(X509_getm_notAfter(certificate), kNow + 60);
  X509_set_pubkey(certificate, key);
  X509_sign(certificate, key, EVP_sha256());
  EXPECT_EQ(peer_id_of(certificate, kNow).error(), core::Errc::malformed);
  X509_free(certificate);
  EVP_PKEY_free(key);
}

}  // namespace
}  // namespace peerdrop::channel
