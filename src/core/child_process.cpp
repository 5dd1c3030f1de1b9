#include "core/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace peerdrop::core {

namespace asio = boost::asio;

std::string ExitStatus::describe() const {
  if (signal != 0) {
    const char* name = sigabbrev_np(signal);
    return std::string("was killed by ") + (name ? std::string("SIG") + name : "signal " + std::to_string(signal));
  }
  return "exited with code " + std::to_string(code);
}

struct ChildProcess::Watch {
  Watch(asio::any_io_executor executor, int pid_, int pidfd, ProcessLauncher::ExitHandler handler)
      : pid(pid_), descriptor(std::move(executor), pidfd), on_exit(std::move(handler)) {}
  int pid;
  asio::posix::stream_descriptor descriptor;  // the pidfd: readable once the child has exited
  ProcessLauncher::ExitHandler on_exit;
  bool reaped = false;
};

namespace {

boost::system::error_code errno_code(int error) { return {error, boost::system::system_category()}; }

ExitStatus to_exit_status(int status) {
  if (WIFSIGNALED(status)) return ExitStatus{.code = -1, .signal = WTERMSIG(status)};
  return ExitStatus{.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1, .signal = 0};
}

int wait_for(int pid, int options) {
  int status = 0;
  while (::waitpid(pid, &status, options) < 0 && errno == EINTR) {
  }
  return status;
}

void watch_exit(const std::shared_ptr<ChildProcess::Watch>& watch) {
  watch->descriptor.async_wait(asio::posix::stream_descriptor::wait_read,
                               [weak = std::weak_ptr<ChildProcess::Watch>(watch)](const boost::system::error_code& ec) {
                                 const auto self = weak.lock();
                                 if (ec == asio::error::operation_aborted || !self || self->reaped) return;
                                 int status = 0;
                                 const int got = ::waitpid(self->pid, &status, WNOHANG);
                                 if (got == 0) {  // woken without an exit: keep watching
                                   watch_exit(self);
                                   return;
                                 }
                                 self->reaped = true;
                                 auto handler = std::move(self->on_exit);
                                 self->on_exit = nullptr;
                                 if (handler) handler(got < 0 ? ExitStatus{} : to_exit_status(status));
                               });
}

}  // namespace

std::optional<std::filesystem::path> ChildProcess::find_program(const std::string& program) {
  if (program.empty()) return std::nullopt;
  const auto executable = [](const std::filesystem::path& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
  };
  if (program.find('/') != std::string::npos) {
    if (executable(program)) return std::filesystem::path(program);
    return std::nullopt;
  }
  const char* env = std::getenv("PATH");
  const std::string path = env && *env ? env : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto colon = std::min(path.find(':', start), path.size());
    const auto dir = path.substr(start, colon - start);
    const auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / program;
    if (executable(candidate)) return candidate;
    start = colon + 1;
  }
  return std::nullopt;
}

boost::system::result<std::unique_ptr<ChildProcess>> ChildProcess::spawn(asio::any_io_executor executor,
                                                                         const LaunchSpec& spec,
                                                                         ProcessLauncher::ExitHandler on_exit) {
  const auto program = find_program(spec.program);
  if (!program) {
    return errno_code(spec.program.find('/') != std::string::npos && ::access(spec.program.c_str(), F_OK) == 0
                          ? EACCES
                          : ENOENT);
  }
  // Everything the child needs is made before fork: after it, only async-signal-safe calls.
  std::vector<std::string> strings{program->string()};
  strings.insert(strings.end(), spec.args.begin(), spec.args.end());
  std::vector<char*> argv;
  for (auto& s : strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  const int out = ::open(spec.output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (out < 0) return errno_code(errno);
  const int null_in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int error_pipe[2] = {-1, -1};
  if (null_in < 0 || ::pipe2(error_pipe, O_CLOEXEC) != 0) {
    const int error = errno;
    ::close(out);
    if (null_in >= 0) ::close(null_in);
    return errno_code(error);
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(error_pipe[0]);
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (const int s : {SIGPIPE, SIGINT, SIGTERM, SIGHUP}) ::signal(s, SIG_DFL);
    if (::dup2(null_in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0) {
      const int error = errno;
      [[maybe_unused]] auto n = ::write(error_pipe[1], &error, sizeof error);
      ::_exit(127);
    }
    ::execv(argv[0], argv.data());
    const int error = errno;
    [[maybe_unused]] auto n = ::write(error_pipe[1], &error, sizeof error);
    ::_exit(127);
  }
  const int fork_error = errno;
  ::close(error_pipe[1]);
  ::close(out);
  ::close(null_in);
  if (pid < 0) {
    ::close(error_pipe[0]);
    return errno_code(fork_error);
  }
  int exec_error = 0;
  ssize_t got = 0;
  do {
    got = ::read(error_pipe[0], &exec_error, sizeof exec_error);
  } while (got < 0 && errno == EINTR);
  ::close(error_pipe[0]);
  if (got == static_cast<ssize_t>(sizeof exec_error)) {  // exec failed: the child has exited
    wait_for(pid, 0);
    return errno_code(exec_error);
  }
  // glibc 2.36's <sys/pidfd.h> lacks extern "C" (fixed in 2.37): the system call itself.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    const int error = errno;
    ::kill(pid, SIGKILL);
    wait_for(pid, 0);
    return errno_code(error);
  }
  auto watch = std::make_shared<Watch>(std::move(executor), pid, pidfd, std::move(on_exit));
  watch_exit(watch);
  return std::unique_ptr<ChildProcess>(new ChildProcess(std::move(watch)));
}

ChildProcess::~ChildProcess() {
  auto& w = *watch_;
  w.on_exit = nullptr;
  if (!w.reaped) {
    // Not reaped yet, so the pid cannot have been reused.
    ::kill(w.pid, SIGTERM);
    pollfd p{.fd = w.descriptor.native_handle(), .events = POLLIN, .revents = 0};
    int ready = 0;
    do {
      ready = ::poll(&p, 1, static_cast<int>(kDestroyGrace.count()));
    } while (ready < 0 && errno == EINTR);
    if (ready <= 0) ::kill(w.pid, SIGKILL);
    wait_for(w.pid, 0);
    w.reaped = true;
  }
  boost::system::error_code ignored;
  w.descriptor.close(ignored);
}

int ChildProcess::pid() const { return watch_->pid; }

void ChildProcess::signal(int signal) {
  if (!watch_->reaped) ::kill(watch_->pid, signal);
}

boost::system::result<std::unique_ptr<RunningProcess>> ChildProcessLauncher::launch(const LaunchSpec& spec,
                                                                                    ExitHandler on_exit) {
  auto child = ChildProcess::spawn(executor_, spec, std::move(on_exit));
  if (!child) return child.error();
  return std::unique_ptr<RunningProcess>(std::move(*child));
}

}  // namespace peerdrop::core
