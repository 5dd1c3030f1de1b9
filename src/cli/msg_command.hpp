#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "cli/command_context.hpp"
#include "cli/failure.hpp"

namespace peerdrop::cli {

// `peerdrop msg PEER TEXT`: sends a message through the daemon (POST
// /api/messages) and waits up to `wait` for the peer's daemon to have it
// (GET /api/messages/{id}). Not delivered by then, it says the message is
// queued and goes when the peer's daemon is reachable: still done (exit 0).
class MsgCommand {
 public:
  using Sleep = std::function<void(std::chrono::milliseconds)>;
  static constexpr std::chrono::milliseconds kPollInterval{100};

  MsgCommand(std::string peer, std::string text, std::chrono::milliseconds wait, Sleep sleep);

  Outcome<> run(const CommandContext& context) const;

 private:
  std::string peer_;
  std::string text_;
  std::chrono::milliseconds wait_;
  Sleep sleep_;
};

}  // namespace peerdrop::cli
