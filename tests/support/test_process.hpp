#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

extern char** environ;

namespace peerdrop::testing {

// The environment of this process without the variables named in `drop` ("NAME"), and with `add` ("NAME=value").
inline std::vector<std::string> environment_with(const std::vector<std::string>& add,
                                                 const std::vector<std::string>& drop = {}) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    const std::string entry(*e);
    const auto name = entry.substr(0, entry.find('='));
    bool dropped = false;
    for (const auto& d : drop) dropped = dropped || d == name;
    for (const auto& a : add) dropped = dropped || a.substr(0, a.find('=')) == name;
    if (!dropped) env.push_back(entry);
  }
  env.insert(env.end(), add.begin(), add.end());
  return env;
}

// A program a test started (argv[0] a path), with its own environment, stdout and stderr in files. It
// dies with the test process (PR_SET_PDEATHSIG), and the destructor kills and reaps it, so no test
// leaves one behind, pass or fail.
class TestProcess {
 public:
  TestProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env,
              const std::filesystem::path& stdout_file, const std::filesystem::path& stderr_file) {
    auto args = pointers(argv);
    auto envp = pointers(env);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      const int in = ::open("/dev/null", O_RDONLY);
      const int out = ::open(stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int err = ::open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      ::dup2(in, 0);
      ::dup2(out, 1);
      ::dup2(err, 2);
      ::execve(args[0], args.data(), envp.data());
      ::_exit(127);
    }
  }
  TestProcess(const TestProcess&) = delete;
  TestProcess& operator=(const TestProcess&) = delete;
  ~TestProcess() {
    if (running()) ::kill(pid_, SIGKILL);
    if (!exited_) ::waitpid(pid_, nullptr, 0);
  }

  bool running() {
    if (exited_ || pid_ <= 0) return false;
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) exited_ = true;
    return !exited_;
  }
  void kill(int signal) {
    if (running()) ::kill(pid_, signal);
  }

  static std::vector<char*> pointers(const std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
  }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
};

struct ProgramResult {
  int exit_code = -1;  // -1: killed at the deadline, or not started
  std::string output;  // stdout and stderr
};

// Runs `argv` (argv[0] a path) to its end with `env`, at most `timeout`.
inline ProgramResult run_program(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return {};
  auto args = TestProcess::pointers(argv);
  auto envp = TestProcess::pointers(env);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    const int in = ::open("/dev/null", O_RDONLY);
    ::dup2(in, 0);
    ::dup2(pipe_fds[1], 1);
    ::dup2(pipe_fds[1], 2);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  ProgramResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd readable{pipe_fds[0], POLLIN, 0};
    if (left.count() <= 0 || ::poll(&readable, 1, static_cast<int>(left.count())) == 0) {
      timed_out = true;
      break;
    }
    char buffer[4096];
    const auto n = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (n <= 0) break;
    result.output.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(pipe_fds[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = !timed_out && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace peerdrop::testing
