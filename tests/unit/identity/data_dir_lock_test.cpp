#include "identity/data_dir_lock.hpp"

#include <gtest/gtest.h>

#include "core/startup_error.hpp"
#include "support/temp_dir.hpp"

namespace peerdrop::identity {
namespace {

TEST(DataDirLock, RefusesASecondDaemonOnTheSameDataDir) {
  testing::TempDir dir;
  DataDirLock first(dir.path());
  EXPECT_THROW(DataDirLock second(dir.path()), core::StartupError);
}

TEST(DataDirLock, IsReleasedWhenTheDaemonStops) {
  testing::TempDir dir;
  { DataDirLock first(dir.path()); }
  EXPECT_NO_THROW(DataDirLock again(dir.path()));
}

}  // namespace
}  // namespace peerdrop::identity
