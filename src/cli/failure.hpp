#pragma once

#include <boost/system/result.hpp>
#include <string>

namespace peerdrop::cli {

// The exit codes of `peerdrop`: done, failed (one line says why and what to
// do), or not understood (a wrong command, option or PEER).
enum class ExitCode { done = 0, failed = 1, usage = 2 };

// Why a command did not do what it was asked, in words for a person.
struct Failure {
  ExitCode code = ExitCode::failed;
  // What went wrong and what to do, on one line; a usage failure may list
  // the candidates it chose between on further lines.
  std::string message;
  // Why a control call failed, for a command that acts on it: the daemon's
  // own code when it refused ("not_found", "unknown_peer"), kDaemonLost when
  // it did not answer at all; empty for everything else.
  std::string cause;
};

// The cause of a control call that got no answer: the daemon stopped, is
// restarting, or is stuck.
inline constexpr const char* kDaemonLost = "daemon_lost";

inline Failure failed(std::string message) { return Failure{ExitCode::failed, std::move(message), {}}; }
inline Failure usage(std::string message) { return Failure{ExitCode::usage, std::move(message), {}}; }

// A command's result: a value, or why there is none.
template <typename T = void>
using Outcome = boost::system::result<T, Failure>;

}  // namespace peerdrop::cli
