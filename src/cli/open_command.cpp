#include "cli/open_command.hpp"

#include <span>

#include "core/fd_io.hpp"

namespace peerdrop::cli {
namespace {

std::string html_escaped(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string OpenCommand::forwarding_page(const std::string& link) {
  const auto href = html_escaped(link);
  return "<!doctype html>\n<meta charset=\"utf-8\">\n<meta name=\"referrer\" content=\"no-referrer\">\n"
         "<meta http-equiv=\"refresh\" content=\"0;url=" + href + "\">\n<title>PeerDrop</title>\n"
         "<p>Opening PeerDrop: <a href=\"" + href + "\">continue</a>.</p>\n";
}

Outcome<> OpenCommand::run(const CommandContext& context) const {
  const auto& daemon = context.daemon;
  // A control call first: the link works only if the daemon takes this key.
  if (const auto settings = daemon.settings(); !settings) return settings.error();
  const auto link = daemon.endpoint().url() + "/#token=" + daemon.token();
  context.out << link << "\n";
  if (!BrowserLauncher::display_available()) {
    context.err << "No display here: open the link above in a browser on this machine.\n";
    return {};
  }
  std::error_code ec;
  const auto page = std::filesystem::absolute(daemon.data_dir() / kPageFileName, ec);
  const auto text = forwarding_page(link);
  if (ec || core::write_private_file(page, std::as_bytes(std::span(text)))) {
    context.err << "Could not write " << (daemon.data_dir() / kPageFileName).string()
                << " to hand the link to a browser: open the link above yourself.\n";
    return {};
  }
  if (const auto error = launcher_.open(page)) {
    context.err << "Could not start xdg-open (" << error.message() << "): open the link above yourself.\n";
    return {};
  }
  context.err << "Opening it in your browser.\n";
  return {};
}

}  // namespace peerdrop::cli
