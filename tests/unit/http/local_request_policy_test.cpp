#include "http/local_request_policy.hpp"

#include <gtest/gtest.h>

namespace peerdrop::http {
namespace {

class LocalRequestPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override { policy_.set_own_addresses({"127.0.0.1", "198.51.100.2"}); }
  LocalRequestPolicy policy_{3001};
};

TEST_F(LocalRequestPolicyTest, AllowsThisMachinesOwnUi) {
  EXPECT_FALSE(policy_.refuse_reason("127.0.0.1", "127.0.0.1:3001", std::nullopt));
  EXPECT_FALSE(policy_.refuse_reason("127.0.0.1", "localhost:3001", std::string_view("http://localhost:3001")));
  EXPECT_FALSE(policy_.refuse_reason("198.51.100.2", "198.51.100.2:3001", std::string_view("http://198.51.100.2:3001")));
  EXPECT_FALSE(policy_.refuse_reason("::1", "[::1]:3001", std::nullopt));
  EXPECT_FALSE(policy_.refuse_reason("::ffff:127.0.0.1", "LOCALHOST:3001", std::nullopt));
}

TEST_F(LocalRequestPolicyTest, RefusesOtherHosts) {
  EXPECT_TRUE(policy_.refuse_reason("198.51.100.3", "198.51.100.2:3001", std::nullopt));
  EXPECT_TRUE(policy_.refuse_reason("203.0.113.9", "127.0.0.1:3001", std::nullopt));
}

TEST_F(LocalRequestPolicyTest, RefusesDnsRebinding) {
  EXPECT_TRUE(policy_.refuse_reason("127.0.0.1", "evil.example", std::nullopt));
  EXPECT_TRUE(policy_.refuse_reason("127.0.0.1", "evil.example:3001", std::nullopt));
  EXPECT_TRUE(policy_.refuse_reason("127.0.0.1", "127.0.0.1:3002", std::nullopt));  // another daemon's port
  EXPECT_TRUE(policy_.refuse_reason("127.0.0.1", "127.0.0.1", std::nullopt));       // port 80
  EXPECT_TRUE(policy_.refuse_reason("127.0.0.1", "", std::nullopt));
}

TEST_F(LocalRequestPolicyTest, RefusesForeignOrigins) {
  for (const char* origin : {"http://evil.example", "http://evil.example:3001", "https://127.0.0.1:3001", "null",
                             "http://127.0.0.1:3002", "http://127.0.0.1:3001.evil.example", "file://",
                             "http://user@evil.example:3001", ""}) {
    EXPECT_TRUE(policy_.refuse_reason("127.0.0.1", "127.0.0.1:3001", std::string_view(origin))) << origin;
  }
}

TEST_F(LocalRequestPolicyTest, KnowsLocalClients) {
  EXPECT_TRUE(policy_.is_local_client("127.0.0.1"));
  EXPECT_TRUE(policy_.is_local_client("127.8.9.10"));
  EXPECT_TRUE(policy_.is_local_client("198.51.100.2"));
  EXPECT_FALSE(policy_.is_local_client("198.51.100.3"));
  EXPECT_FALSE(policy_.is_local_client("not an address"));
}

}  // namespace
}  // namespace peerdrop::http
