#pragma once

#include <string>

#include "cli/browser_launcher.hpp"
#include "cli/command_context.hpp"
#include "cli/failure.hpp"

namespace peerdrop::cli {

// `peerdrop open`: prints the web UI's link with the control token in its
// fragment (http://127.0.0.1:3001/#token=…) and, where there is a display,
// opens it in the default browser. The browser is given a private page in
// the data dir that forwards to the link (<data-dir>/open-ui.html, 0600),
// never the link itself: a command line is visible to every user of the
// machine (ps), and the token is what keeps them out.
class OpenCommand {
 public:
  static constexpr const char* kPageFileName = "open-ui.html";

  explicit OpenCommand(const BrowserLauncher& launcher) : launcher_(launcher) {}

  Outcome<> run(const CommandContext& context) const;

  // The forwarding page for `link`.
  static std::string forwarding_page(const std::string& link);

 private:
  const BrowserLauncher& launcher_;
};

}  // namespace peerdrop::cli
