#include "identity/identity.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "core/startup_error.hpp"
#include "identity/peer_id.hpp"
#include "support/temp_dir.hpp"

namespace peerdrop::identity {
namespace {

TEST(Identity, IsCreatedOnFirstStartWithPrivateFileMode) {
  testing::TempDir dir;
  const auto identity = Identity::load_or_create(dir.path() / "data");
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() / "data" / "identity.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_EQ(st.st_size, 64);
  ASSERT_EQ(::stat((dir.path() / "data").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700);
  EXPECT_EQ(identity.peer_id(), derive_peer_id(identity.public_key()));
}

TEST(Identity, KeepsItsIdAcrossRestarts) {
  testing::TempDir dir;
  const auto first = Identity::load_or_create(dir.path());
  const auto second = Identity::load_or_create(dir.path());
  EXPECT_EQ(first.peer_id(), second.peer_id());
  EXPECT_EQ(first.public_key(), second.public_key());
}

TEST(Identity, RefusesADamagedKeyFileWithAClearMessage) {
  testing::TempDir dir;
  { std::ofstream(dir.path() / "identity.key") << "short"; }
  try {
    Identity::load_or_create(dir.path());
    FAIL() << "a damaged key was accepted";
  } catch (const core::StartupError& e) {
    EXPECT_NE(std::string(e.what()).find("damaged"), std::string::npos) << e.what();
  }
}

TEST(Identity, SignaturesVerifyOnlyForTheSignedMessageAndKey) {
  const auto a = Identity::generate();
  const auto b = Identity::generate();
  const std::vector<std::uint8_t> message{1, 2, 3};
  const auto signature = a.sign(message);
  EXPECT_TRUE(Identity::verify(a.public_key(), message, signature));
  EXPECT_FALSE(Identity::verify(b.public_key(), message, signature));
  auto tampered = message;
  tampered[0] ^= 1;
  EXPECT_FALSE(Identity::verify(a.public_key(), tampered, signature));
}

TEST(Identity, SealsToAPeersKeySoOnlyThatPeerOpensIt) {
  const auto relay = Identity::generate();
  const auto bob = Identity::generate();
  const auto eve = Identity::generate();
  const std::string secret = "base64-of-an-hmac-0123456789ab=";
  const std::span<const std::uint8_t> message(reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size());
  const auto sealed = Identity::seal_to(bob.public_key(), message);
  ASSERT_TRUE(sealed);
  EXPECT_EQ(sealed->size(), secret.size() + Identity::kSealOverhead);
  const auto opened = bob.open_sealed(*sealed);
  ASSERT_TRUE(opened);
  EXPECT_EQ(std::string(opened->begin(), opened->end()), secret);
  // Sealing twice gives other bytes (an ephemeral key each time).
  EXPECT_NE(*Identity::seal_to(bob.public_key(), message), *sealed);
  // Not for the sender, nor anyone else.
  EXPECT_FALSE(relay.open_sealed(*sealed));
  EXPECT_FALSE(eve.open_sealed(*sealed));
}

TEST(Identity, RefusesASealedBoxThatWasAlteredOrCut) {
  const auto bob = Identity::generate();
  const std::vector<std::uint8_t> message{1, 2, 3, 4, 5};
  const auto sealed = *Identity::seal_to(bob.public_key(), message);
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    auto tampered = sealed;
    tampered[i] ^= 0x01;
    EXPECT_FALSE(bob.open_sealed(tampered)) << "byte " << i;
  }
  for (std::size_t n = 0; n < sealed.size(); ++n) {
    EXPECT_FALSE(bob.open_sealed(std::span(sealed).first(n))) << n << " bytes";
  }
  auto longer = sealed;
  longer.push_back(0);
  EXPECT_FALSE(bob.open_sealed(longer));
}

TEST(Identity, CannotSealToAKeyThatIsNotACurvePoint) {
  // An Ed25519 public key of small order has no usable X25519 key.
  PublicKey small_order{};
  small_order[0] = 1;  // the identity point
  EXPECT_FALSE(Identity::seal_to(small_order, std::vector<std::uint8_t>{1}));
}

}  // namespace
}  // namespace peerdrop::identity
