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

}  // namespace
}  // namespace peerdrop::identity
