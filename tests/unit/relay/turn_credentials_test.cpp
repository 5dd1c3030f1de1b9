#include "relay/turn_credentials.hpp"

#include <gtest/gtest.h>

#include "support/fake_clock.hpp"

namespace peerdrop::relay {
namespace {

// Known answers computed independently with the OpenSSL command line, e.g.
//   printf %s 'username' | openssl dgst -sha1 -hmac 'secret' -binary | base64
TEST(TurnCredentials, HmacSha1MatchesOpenSslsCommandLine) {
  EXPECT_EQ(TurnCredentials::hmac_sha1_base64("secret", "username"), "Y+xc9oPStdL4iPyZk5J5hPDAs5M=");
}

// printf %s '1764003600:MZUHVLPYMK6XO3EPYGFY5H4OEAEJOFEFN3RDHM4QFJMR2DK7FESQ' \
//   | openssl dgst -sha1 -hmac 'north' -binary | base64
TEST(TurnCredentials, DerivesTheTurnRestApiUsernameAndPassword) {
  const auto credential =
      TurnCredentials::derive("north", 1'764'003'600, "MZUHVLPYMK6XO3EPYGFY5H4OEAEJOFEFN3RDHM4QFJMR2DK7FESQ");
  EXPECT_EQ(credential.username, "1764003600:MZUHVLPYMK6XO3EPYGFY5H4OEAEJOFEFN3RDHM4QFJMR2DK7FESQ");
  EXPECT_EQ(credential.password, "I6vRL2mTOH5RmkNkGfQmhth9lcM=");
  EXPECT_EQ(credential.expires_unix_s, 1'764'003'600);
}

TEST(TurnCredentials, WithoutAUserTheUsernameIsTheExpiryAlone) {
  const auto credential = TurnCredentials::derive("secret", 1'764'003'600, "");
  EXPECT_EQ(credential.username, "1764003600");
  EXPECT_EQ(credential.password, TurnCredentials::hmac_sha1_base64("secret", "1764003600"));
}

TEST(TurnCredentials, ExpireOneTtlAfterTheClocksWallTime) {
  testing::FakeClock clock;  // unix_ms 1'764'000'000'000
  const TurnCredentials credentials(clock, std::chrono::hours(1));
  const auto first = credentials.issue("north", "PEER");
  EXPECT_EQ(first.expires_unix_s, 1'764'003'600);
  EXPECT_EQ(first.username, "1764003600:PEER");
  EXPECT_EQ(first, TurnCredentials::derive("north", 1'764'003'600, "PEER"));
  clock.advance(std::chrono::milliseconds(90'500));
  EXPECT_EQ(credentials.issue("north", "PEER").expires_unix_s, 1'764'003'690);  // whole seconds
}

TEST(TurnCredentials, DependOnTheSecret) {
  EXPECT_NE(TurnCredentials::derive("north", 1, "PEER").password, TurnCredentials::derive("south", 1, "PEER").password);
}

}  // namespace
}  // namespace peerdrop::relay
