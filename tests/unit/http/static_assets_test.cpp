#include "http/static_assets.hpp"

#include <gtest/gtest.h>

namespace peerdrop::http {
namespace {

TEST(StaticAssets, ServesTheEmbeddedUi) {
  StaticAssets assets;
  const auto index = assets.find("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->path, "/index.html");
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_NE(index->bytes.find("PeerDrop"), std::string_view::npos);
}

TEST(StaticAssets, FallsBackToTheIndexForClientRoutesButNotForMissingFiles) {
  StaticAssets assets;
  EXPECT_EQ(assets.find("/peers/abc")->path, "/index.html");
  EXPECT_FALSE(assets.find("/missing.js"));
  // Paths never reach the file system: the worst a traversal gets is the UI.
  EXPECT_EQ(assets.find("/../../etc/passwd")->path, "/index.html");
  EXPECT_FALSE(assets.find("/../../etc/shadow.db"));
}

}  // namespace
}  // namespace peerdrop::http
