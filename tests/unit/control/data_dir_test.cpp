#include "control/data_dir.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <optional>
#include <string>

namespace peerdrop::control {
namespace {

// Sets an environment variable (or unsets it) for one test, and puts it back.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(DataDir, FollowsXdgDataHomeThenHome) {
  {
    const ScopedEnv xdg("XDG_DATA_HOME", "/srv/data");
    const ScopedEnv home("HOME", "/home/alice");
    EXPECT_EQ(default_data_dir(), "/srv/data/peerdrop");
  }
  {
    const ScopedEnv xdg("XDG_DATA_HOME", "");
    const ScopedEnv home("HOME", "/home/alice");
    EXPECT_EQ(default_data_dir(), "/home/alice/.local/share/peerdrop");
  }
  {
    const ScopedEnv xdg("XDG_DATA_HOME", nullptr);
    const ScopedEnv home("HOME", nullptr);
    EXPECT_EQ(default_data_dir(), ".peerdrop");
  }
}

}  // namespace
}  // namespace peerdrop::control
