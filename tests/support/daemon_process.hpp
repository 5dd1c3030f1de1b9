#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/wait_until.hpp"

namespace peerdrop::testing {

// This test process's own loopback discovery ports, "FIRST-LAST": 8 ports from 3101 up that no
// other process holds (a lock file per range, kept until this process ends). The daemons of one
// test find each other and nobody else's, so tests run in parallel (ctest -j).
inline const std::string& own_loopback_ports() {
  static const std::string range = [] {
    for (int first = 3101; first + 7 <= 4000; first += 8) {
      const auto ports = std::to_string(first) + "-" + std::to_string(first + 7);
      const auto lock = std::filesystem::temp_directory_path() / ("peerdrop-test-ports-" + ports + ".lock");
      const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
      if (fd >= 0 && ::flock(fd, LOCK_EX | LOCK_NB) == 0) return ports;
      if (fd >= 0) ::close(fd);
    }
    ADD_FAILURE() << "every loopback port range in 3101-4000 is held by another test process";
    return std::string("3101-3108");
  }();
  return range;
}

// The real peerdropd binary as a child process, its output in a log file. A --loopback daemon
// gets the test's own ports (own_loopback_ports).
// Where a daemon answers its own user: the HTTP port on 127.0.0.1 and the
// control token its requests carry (none: a client without the token).
struct DaemonEndpoint {
  std::uint16_t port = 0;
  std::string token;
};

class DaemonProcess {
 public:
  DaemonProcess(const std::filesystem::path& log_file, std::vector<std::string> args) : log_file_(log_file) {
    if (std::find(args.begin(), args.end(), "--loopback") != args.end()) {
      args.insert(args.end(), {"--loopback-ports", own_loopback_ports()});
    }
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a crashed test
      // No desktop notifications on the desktop of whoever runs the tests (a test that wants them says --notify-bus).
      ::unsetenv("DBUS_SESSION_BUS_ADDRESS");
      ::unsetenv("XDG_RUNTIME_DIR");
      const int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      std::vector<char*> argv{const_cast<char*>(PEERDROP_DAEMON_PATH)};
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(PEERDROP_DAEMON_PATH, argv.data());
      ::_exit(127);
    }
  }
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;
  ~DaemonProcess() {
    if (running()) {
      ::kill(pid_, SIGKILL);
      wait_for_exit(std::chrono::seconds(5));
    }
  }

  std::string log() const {
    std::ifstream in(log_file_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  // The HTTP port and the control token from the "open the UI at http://ADDR:PORT/#token=…" line, once it is logged.
  std::optional<DaemonEndpoint> endpoint() const {
    std::smatch match;
    const auto text = log();
    static const std::regex pattern(R"(open the UI at http://[0-9.]+:([0-9]+)/#token=([A-Z2-7]+))");
    if (!std::regex_search(text, match, pattern)) return std::nullopt;
    return DaemonEndpoint{static_cast<std::uint16_t>(std::stoi(match[1])), match[2]};
  }
  bool running() {
    if (exited_) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    return !exited_;
  }
  void signal(int sig) { ::kill(pid_, sig); }
  // The exit code, or nothing if it did not exit in time.
  std::optional<int> wait_for_exit(std::chrono::milliseconds timeout) {
    if (!wait_until([this] { return !running(); }, timeout)) return std::nullopt;
    return exit_code_;
  }

 private:
  std::filesystem::path log_file_;
  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_code_ = -1;
};

struct HttpAnswer {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // by lowercase name
};

// One blocking HTTP/1.1 request to 127.0.0.1:port with the endpoint's token
// (`headers` may replace it); status 0 if nothing answered.
inline HttpAnswer http_get(const DaemonEndpoint& daemon, const std::string& target, const std::string& method = "GET",
                           const std::string& body = "",
                           const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  const auto port = daemon.port;
  namespace beast = boost::beast;
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({boost::asio::ip::address_v4::loopback(), port}, ec);
  if (ec) return {};
  beast::http::request<beast::http::string_body> request(beast::http::string_to_verb(method), target, 11);
  request.set(beast::http::field::host, "127.0.0.1:" + std::to_string(port));
  if (!daemon.token.empty()) request.set(beast::http::field::authorization, "Bearer " + daemon.token);
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  beast::http::write(socket, request, ec);
  if (ec) return {};
  beast::flat_buffer buffer;
  beast::http::response_parser<beast::http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  if (method == "HEAD") parser.skip(true);
  beast::http::read(socket, buffer, parser, ec);
  const auto& response = parser.get();
  if (ec) return {};
  HttpAnswer answer{static_cast<int>(response.result_int()), response.body(), {}};
  for (const auto& field : response) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    answer.headers[name] = std::string(field.value());
  }
  return answer;
}

// The endpoint of a daemon that was just started, once it answers GET /api/health (a 5 s deadline).
inline DaemonEndpoint endpoint_of(DaemonProcess& daemon) {
  EXPECT_TRUE(wait_until([&] { return daemon.endpoint().has_value(); }, std::chrono::seconds(5))) << daemon.log();
  auto endpoint = daemon.endpoint().value_or(DaemonEndpoint{});
  EXPECT_TRUE(wait_until([&] { return http_get(endpoint, "/api/health").status == 200; }, std::chrono::seconds(5)))
      << daemon.log();
  return endpoint;
}

}  // namespace peerdrop::testing
