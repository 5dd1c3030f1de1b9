#include "control/control_endpoint_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <optional>

#include "core/errc.hpp"
#include "core/startup_error.hpp"
#include "support/temp_dir.hpp"

namespace peerdrop::control {
namespace {

const std::string kId = "MZUHVLPYMK6XO3EPYGFY5H4OEAEJOFEFN3RDHM4QFJMR2DK7FESQ";

TEST(ControlEndpointFile, IsAPrivateFileWhileItsOwnerLives) {
  testing::TempDir dir;
  const auto path = dir.path() / kControlEndpointFileName;
  {
    const ControlEndpointFile file(dir.path(), endpoint_for("127.0.0.1", 3001, ::getpid(), kId));
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    const auto read = ControlEndpointFile::read(dir.path());
    ASSERT_TRUE(read);
    EXPECT_EQ(read->url(), "http://127.0.0.1:3001");
    EXPECT_EQ(read->pid, ::getpid());
    EXPECT_EQ(read->id, kId);
  }
  EXPECT_FALSE(std::filesystem::exists(path)) << "a clean stop removes it";
  EXPECT_EQ(ControlEndpointFile::read(dir.path()).error(), boost::system::errc::no_such_file_or_directory);
}

TEST(ControlEndpointFile, ReplacesAFileAKilledDaemonLeft) {
  testing::TempDir dir;
  std::ofstream(dir.path() / kControlEndpointFileName) << "{\"url\":\"http://127.0.0.1:9\",\"pid\":1,\"id\":\"" << kId
                                                       << "\"}";
  const ControlEndpointFile file(dir.path(), endpoint_for("127.0.0.1", 3002, ::getpid(), kId));
  const auto read = ControlEndpointFile::read(dir.path());
  ASSERT_TRUE(read);
  EXPECT_EQ(read->port, 3002);
}

TEST(ControlEndpointFile, ReadsNoMoreThanItsLimitAndNeverWaitsOnAFifo) {
  testing::TempDir dir;
  const auto path = dir.path() / kControlEndpointFileName;
  std::ofstream(path) << std::string(10 * 1024 * 1024, '{');
  EXPECT_EQ(ControlEndpointFile::read(dir.path()).error(), core::Errc::too_large);
  std::filesystem::remove(path);
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);  // a reader that opened it would wait for a writer for ever
  EXPECT_EQ(ControlEndpointFile::read(dir.path()).error(), core::Errc::malformed);
  std::filesystem::remove(path);
  std::filesystem::create_directory(path);
  EXPECT_EQ(ControlEndpointFile::read(dir.path()).error(), core::Errc::malformed);
}

TEST(ControlEndpointFile, IsNotReadThroughALink) {
  testing::TempDir dir;
  testing::TempDir elsewhere;
  const ControlEndpointFile real(elsewhere.path(), endpoint_for("127.0.0.1", 3001, ::getpid(), kId));
  std::filesystem::create_symlink(elsewhere.path() / kControlEndpointFileName, dir.path() / kControlEndpointFileName);
  EXPECT_EQ(ControlEndpointFile::read(dir.path()).error(), boost::system::errc::too_many_symbolic_link_levels);
}

TEST(ControlEndpointFile, StopsTheStartWhenItCannotBeWritten) {
  testing::TempDir dir;
  EXPECT_THROW(ControlEndpointFile(dir.path() / "missing", endpoint_for("127.0.0.1", 3001, 1, kId)),
               core::StartupError);
}

}  // namespace
}  // namespace peerdrop::control
