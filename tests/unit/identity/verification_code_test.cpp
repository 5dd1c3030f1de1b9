#include "identity/verification_code.hpp"

#include <gtest/gtest.h>

namespace peerdrop::identity {
namespace {

PublicKey counting_key() {
  PublicKey key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i);
  return key;
}

// Expected values computed independently in Python (hashlib, base64):
//   label = b"PeerDrop verification code v1"; keys sorted by base32(sha256(key))
//   "%06d" % (int.from_bytes(sha256(label + first + second).digest()[:8], "big") % 1000000)
TEST(VerificationCode, MatchesTheDocumentedTestVector) {
  const PublicKey zeros{};
  // The counting key's id (MMG4…) sorts before the zero key's (MZUH…), although
  // its bytes sort after: the order is the ids' (byte order would give 259919).
  EXPECT_EQ(verification_code(zeros, counting_key()), "132718");
}

TEST(VerificationCode, IsTheSameOnBothSides) {
  const auto alice = Identity::generate();
  const auto bob = Identity::generate();
  EXPECT_EQ(verification_code(alice.public_key(), bob.public_key()),
            verification_code(bob.public_key(), alice.public_key()));
}

TEST(VerificationCode, KeepsLeadingZerosToSixDigits) {
  const PublicKey zeros{};
  PublicKey other{};
  other[0] = 22;
  EXPECT_EQ(verification_code(zeros, other), "054631");
}

TEST(VerificationCode, DiffersForAnImpostorsKey) {
  // Another key under the same name gives another code (a match by chance is one in a million).
  const PublicKey zeros{};
  PublicKey impostor = counting_key();
  impostor[31] ^= 1;
  EXPECT_NE(verification_code(zeros, impostor), verification_code(zeros, counting_key()));
  for (const auto& code : {verification_code(zeros, impostor), verification_code(zeros, counting_key())}) {
    EXPECT_EQ(code.size(), 6u);
    EXPECT_EQ(code.find_first_not_of("0123456789"), std::string::npos) << code;
  }
}

}  // namespace
}  // namespace peerdrop::identity
