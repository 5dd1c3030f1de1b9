#include "core/child_process.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/asio/io_context.hpp>
#include <csignal>
#include <fstream>
#include <sstream>

#include "support/temp_dir.hpp"

namespace peerdrop::core {
namespace {

namespace asio = boost::asio;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool alive(int pid) { return ::kill(pid, 0) == 0; }

class ChildProcessTest : public ::testing::Test {
 protected:
  // Runs the loop until the child has exited (no sleeping: the pidfd wakes it).
  std::optional<ExitStatus> run_until_exit(const LaunchSpec& spec) {
    std::optional<ExitStatus> status;
    io_.restart();  // the loop stopped when the previous child's watch ended
    auto child = ChildProcess::spawn(io_.get_executor(), spec, [&](ExitStatus s) { status = s; });
    EXPECT_TRUE(child) << child.error().message();
    if (!child) return std::nullopt;
    while (!status && io_.run_one()) {
    }
    return status;
  }

  asio::io_context io_;
  testing::TempDir dir_;
};

TEST_F(ChildProcessTest, ReportsTheExitCodeAndWritesTheOutputToTheFile) {
  const auto log = dir_.path() / "child.log";
  const auto status = run_until_exit({.program = "/bin/sh", .args = {"-c", "echo out; echo err >&2; exit 3"},
                                      .output_file = log});
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, 3);
  EXPECT_EQ(status->signal, 0);
  EXPECT_EQ(status->describe(), "exited with code 3");
  EXPECT_EQ(read_file(log), "out\nerr\n");
  struct stat st {};
  ASSERT_EQ(::stat(log.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // Appended, not replaced, by the next start.
  run_until_exit({.program = "/bin/sh", .args = {"-c", "echo again"}, .output_file = log});
  EXPECT_EQ(read_file(log), "out\nerr\nagain\n");
}

TEST_F(ChildProcessTest, FindsTheProgramInPath) {
  const auto status = run_until_exit({.program = "sh", .args = {"-c", "exit 0"}, .output_file = dir_.path() / "l"});
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, 0);
  EXPECT_TRUE(ChildProcess::find_program("sh"));
}

TEST_F(ChildProcessTest, SaysWhenTheProgramIsMissing) {
  auto child = ChildProcess::spawn(io_.get_executor(),
                                   {.program = "peerdrop-no-such-program", .output_file = dir_.path() / "l"},
                                   [](ExitStatus) { FAIL() << "nothing ran"; });
  ASSERT_FALSE(child);
  EXPECT_EQ(child.error(), boost::system::errc::no_such_file_or_directory);
  EXPECT_FALSE(ChildProcess::find_program("peerdrop-no-such-program"));
  const auto script = dir_.path() / "not-executable";
  std::ofstream(script) << "#!/bin/sh\n";
  auto refused = ChildProcess::spawn(io_.get_executor(), {.program = script.string(), .output_file = dir_.path() / "l"},
                                     [](ExitStatus) {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), boost::system::errc::permission_denied);
}

TEST_F(ChildProcessTest, ReportsAKillBySignal) {
  std::optional<ExitStatus> status;
  auto child = ChildProcess::spawn(io_.get_executor(),
                                   {.program = "/bin/sh", .args = {"-c", "exec sleep 60"}, .output_file = dir_.path() / "l"},
                                   [&](ExitStatus s) { status = s; });
  ASSERT_TRUE(child);
  (*child)->signal(SIGKILL);
  while (!status && io_.run_one()) {
  }
  ASSERT_TRUE(status);
  EXPECT_EQ(status->signal, SIGKILL);
  EXPECT_EQ(status->describe(), "was killed by SIGKILL");
}

TEST_F(ChildProcessTest, DestroyingTheHandleStopsAndReapsTheChild) {
  bool called = false;
  auto child = ChildProcess::spawn(io_.get_executor(),
                                   {.program = "/bin/sh", .args = {"-c", "exec sleep 60"}, .output_file = dir_.path() / "l"},
                                   [&](ExitStatus) { called = true; });
  ASSERT_TRUE(child);
  const int pid = (*child)->pid();
  EXPECT_TRUE(alive(pid));
  child->reset();  // SIGTERM ends sleep at once
  EXPECT_FALSE(alive(pid));  // gone and reaped (a zombie would still answer kill 0)
  io_.poll();
  EXPECT_FALSE(called);  // a destroyed handle calls nobody
}

TEST_F(ChildProcessTest, AChildThatIgnoresSigtermIsKilled) {
  auto child = ChildProcess::spawn(
      io_.get_executor(),
      {.program = "/bin/sh", .args = {"-c", "trap '' TERM; echo ready; exec sleep 60"}, .output_file = dir_.path() / "l"},
      [](ExitStatus) {});
  ASSERT_TRUE(child);
  const int pid = (*child)->pid();
  // Wait (by reading, not sleeping) until the shell has set its trap.
  while (read_file(dir_.path() / "l").find("ready") == std::string::npos) {
  }
  const auto started = std::chrono::steady_clock::now();
  child->reset();
  EXPECT_FALSE(alive(pid));
  EXPECT_GE(std::chrono::steady_clock::now() - started, ChildProcess::kDestroyGrace - std::chrono::milliseconds(50));
}

}  // namespace
}  // namespace peerdrop::relay
