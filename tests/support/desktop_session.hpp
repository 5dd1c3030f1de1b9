#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/child_process.hpp"
#include "support/test_process.hpp"
#include "support/wait_until.hpp"

namespace peerdrop::testing {

// A desktop session made of real parts, private to one test: a session bus
// (dbus-daemon with its own configuration, its socket in `dir`), an X server
// (Xvfb on a display number it picks itself) and the notification server
// dunst on both. Its dunstrc makes `dunstctl context` offer each action to
// a script in place of dmenu, which picks the action labelled choose(…).
// Everything it started is killed with it.
class DesktopSession {
 public:
  // What this machine lacks for a session, in words; nothing when all is installed.
  static std::optional<std::string> missing_programs() {
    std::string missing;
    for (const auto* program : {"dbus-daemon", "dbus-send", "Xvfb", "dunst", "dunstctl"}) {
      if (!core::ChildProcess::find_program(program)) missing += std::string(missing.empty() ? "" : ", ") + program;
    }
    if (missing.empty()) return std::nullopt;
    return missing + " not installed (packages dbus, dunst and xvfb: make deps installs them)";
  }

  explicit DesktopSession(const std::filesystem::path& dir) : dir_(dir) {
    if (!start_bus() || !start_display() || !start_dunst()) stop();
  }
  ~DesktopSession() { stop(); }
  DesktopSession(const DesktopSession&) = delete;
  DesktopSession& operator=(const DesktopSession&) = delete;

  bool started() const { return problem_.empty(); }
  // Why it did not start, with what the programs said.
  std::string problem() const {
    return problem_ + "\n--- dbus-daemon:\n" + read(dir_ / "bus.log") + "\n--- Xvfb:\n" + read(dir_ / "xvfb.log") +
           "\n--- dunst:\n" + read(dir_ / "dunst.log");
  }
  const std::string& bus_address() const { return bus_address_; }

  // The action label ("Accept", "Decline") the menu script picks at the next `dunstctl context`.
  void choose(const std::string& label) { std::ofstream(dir_ / "choice") << label; }
  // What dunst offered in its menu the last time: a line per action, "#<label> (<summary>) [<id>,<action>]".
  std::string menu_input() const { return read(dir_ / "menu-input"); }

  ProgramResult dunstctl(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{program("dunstctl")};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_program(argv, client_env());
  }
  // Notifications dunst shows now; -1 if it did not answer.
  int displayed() const {
    const auto count = dunstctl({"count", "displayed"});
    if (count.exit_code != 0) return -1;
    try {
      return std::stoi(count.output);
    } catch (const std::exception&) {
      return -1;
    }
  }
  // dunst's history (closed notifications, newest first): each one's fields as strings.
  std::vector<std::map<std::string, std::string>> history() const {
    std::vector<std::map<std::string, std::string>> entries;
    const auto answer = dunstctl({"history"});
    boost::system::error_code ec;
    const auto json = boost::json::parse(answer.output, ec);
    if (ec || !json.is_object()) return entries;
    const auto* data = json.as_object().if_contains("data");
    if (!data || !data->is_array() || data->as_array().empty() || !data->as_array()[0].is_array()) return entries;
    for (const auto& item : data->as_array()[0].as_array()) {
      if (!item.is_object()) continue;
      std::map<std::string, std::string> fields;
      for (const auto& [name, field] : item.as_object()) {
        const auto* value = field.is_object() ? field.as_object().if_contains("data") : nullptr;
        if (!value) continue;
        fields[std::string(name)] =
            value->is_string() ? std::string(value->as_string()) : boost::json::serialize(*value);
      }
      entries.push_back(std::move(fields));
    }
    return entries;
  }

  // The session bus dies (SIGKILL), as when the desktop session ends.
  void kill_bus() {
    if (bus_) bus_->kill(SIGKILL);
  }

 private:
  static std::string read(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  static std::string program(const char* name) {
    return core::ChildProcess::find_program(name).value_or(name).string();
  }
  // The first line a program wrote to `file`, once it is complete.
  static std::optional<std::string> first_line(const std::filesystem::path& file) {
    const auto text = read(file);
    const auto end = text.find('\n');
    if (end == std::string::npos) return std::nullopt;
    return text.substr(0, end);
  }
  std::vector<std::string> client_env() const {
    return environment_with({"DBUS_SESSION_BUS_ADDRESS=" + bus_address_}, {"DISPLAY", "WAYLAND_DISPLAY"});
  }

  bool start_bus() {
    // A session bus of its own: no service activation, so nothing but what this test starts answers on it.
    std::ofstream(dir_ / "bus.conf")
        << "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
           " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
           "<busconfig>\n"
           "  <type>session</type>\n"
           "  <listen>unix:path="
        << (dir_ / "bus").string()
        << "</listen>\n"
           "  <auth>EXTERNAL</auth>\n"
           "  <policy context=\"default\">\n"
           "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
           "    <allow eavesdrop=\"true\"/>\n"
           "    <allow own=\"*\"/>\n"
           "  </policy>\n"
           "</busconfig>\n";
    // --nofork keeps it this test's child, so it dies with the test; it prints its address once it listens.
    bus_ = std::make_unique<TestProcess>(
        std::vector<std::string>{program("dbus-daemon"), "--config-file=" + (dir_ / "bus.conf").string(), "--nofork",
                                 "--print-address"},
        environment_with({}, {"DBUS_SESSION_BUS_ADDRESS"}), dir_ / "bus-address", dir_ / "bus.log");
    if (!wait_until([&] { return first_line(dir_ / "bus-address").has_value() || !bus_->running(); },
                    std::chrono::seconds(10)) ||
        !first_line(dir_ / "bus-address")) {
      problem_ = "dbus-daemon did not print its address";
      return false;
    }
    bus_address_ = *first_line(dir_ / "bus-address");
    return true;
  }

  bool start_display() {
    // -displayfd 1: Xvfb takes a free display number and writes it to stdout once it accepts clients.
    xvfb_ = std::make_unique<TestProcess>(
        std::vector<std::string>{program("Xvfb"), "-displayfd", "1", "-nolisten", "tcp", "-screen", "0", "800x600x24"},
        environment_with({}, {"DISPLAY", "WAYLAND_DISPLAY"}), dir_ / "display", dir_ / "xvfb.log");
    if (!wait_until([&] { return first_line(dir_ / "display").has_value() || !xvfb_->running(); },
                    std::chrono::seconds(20)) ||
        !first_line(dir_ / "display")) {
      problem_ = "Xvfb did not report its display";
      return false;
    }
    display_ = ":" + *first_line(dir_ / "display");
    return true;
  }

  bool start_dunst() {
    const auto script = dir_ / "menu.sh";
    std::ofstream(script) << "#!/bin/sh\n"
                             "# dunst's menu: one line per action, \"#<label> (<summary>) [<id>,<action>]\".\n"
                             "cat > '"
                          << (dir_ / "menu-input").string()
                          << "'\n"
                             "grep -m1 \"^#$(cat '"
                          << (dir_ / "choice").string() << "') (\" '" << (dir_ / "menu-input").string() << "'\n";
    std::filesystem::permissions(script, std::filesystem::perms::owner_all);
    choose("Accept");
    std::ofstream(dir_ / "dunstrc") << "[global]\n"
                                       "    dmenu = "
                                    << script.string()
                                    << "\n"
                                       "    # never idle (Xvfb has no user), so timeouts run\n"
                                       "    idle_threshold = 0\n"
                                       "    notification_limit = 0\n"
                                       "    history_length = 100\n"
                                       "    markup = full\n";
    std::filesystem::create_directories(dir_ / "config");
    dunst_ = std::make_unique<TestProcess>(
        std::vector<std::string>{program("dunst"), "-config", (dir_ / "dunstrc").string()},
        environment_with({"DISPLAY=" + display_, "DBUS_SESSION_BUS_ADDRESS=" + bus_address_,
                          "XDG_CONFIG_HOME=" + (dir_ / "config").string()},
                         {"WAYLAND_DISPLAY"}),
        dir_ / "dunst.out", dir_ / "dunst.log");
    if (!wait_until([&] { return dunstctl({"is-paused"}).exit_code == 0 || !dunst_->running(); },
                    std::chrono::seconds(20)) ||
        !dunst_->running()) {
      problem_ = "dunst did not take the notification service on the bus";
      return false;
    }
    return true;
  }

  void stop() {
    dunst_.reset();
    xvfb_.reset();
    bus_.reset();
  }

  std::filesystem::path dir_;
  std::string problem_;
  std::string bus_address_;
  std::string display_;
  std::unique_ptr<TestProcess> bus_;
  std::unique_ptr<TestProcess> xvfb_;
  std::unique_ptr<TestProcess> dunst_;
};

}  // namespace peerdrop::testing
