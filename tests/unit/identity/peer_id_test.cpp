#include "identity/peer_id.hpp"

#include <gtest/gtest.h>

namespace peerdrop::identity {
namespace {

// Expected values computed independently: base64.b32encode(hashlib.sha256(key).digest()) in Python.
TEST(PeerId, IsBase32OfSha256OfThePublicKey) {
  PublicKey zeros{};
  EXPECT_EQ(derive_peer_id(zeros), "MZUHVLPYMK6XO3EPYGFY5H4OEAEJOFEFN3RDHM4QFJMR2DK7FESQ");
  PublicKey counting{};
  for (std::size_t i = 0; i < counting.size(); ++i) counting[i] = static_cast<std::uint8_t>(i);
  EXPECT_EQ(derive_peer_id(counting), "MMG42KLGYQZWNEISKRELXMS3J72BFJE4OMW3FSFLYG4FQG6XCDOQ");
}

TEST(PeerId, RecognisesItsOwnShape) {
  EXPECT_TRUE(looks_like_peer_id("MZUHVLPYMK6XO3EPYGFY5H4OEAEJOFEFN3RDHM4QFJMR2DK7FESQ"));
  EXPECT_FALSE(looks_like_peer_id("MZUHVLPYMK6XO3EPYGFY5H4OEAEJOFEFN3RDHM4QFJMR2DK7FES"));   // short
  EXPECT_FALSE(looks_like_peer_id("mzuhvlpymk6xo3epygfy5h4oeaejofefn3rdhm4qfjmr2dk7fesq"));  // lower case
  EXPECT_FALSE(looks_like_peer_id("../../../../etc/passwd/../../../../../../../../../.."));
}

}  // namespace
}  // namespace peerdrop::identity
