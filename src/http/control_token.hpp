#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "control/control_token_file.hpp"
#include "http/json_response.hpp"

namespace peerdrop::http {

// The secret of the control surface: a random key in a file of the data dir
// that only this Unix user can read (mode 0600 in a 0700 folder). Whoever
// holds it may drive the daemon (the UI, the `peerdrop` command line);
// another user of the machine, or a program without the file, may not.
class ControlToken {
 public:
  static constexpr const char* kFileName = control::kControlTokenFileName;

  // Reads data_dir/control-token, or writes a new one (the first start, or a
  // damaged file). A file others could read is made private again. Throws
  // core::StartupError when the file can be neither read nor written.
  static ControlToken load_or_create(const std::filesystem::path& data_dir);

  explicit ControlToken(std::string value) : value_(std::move(value)) {}

  const std::string& value() const { return value_; }

  // Whether `request` presents the token: "Authorization: Bearer <token>",
  // or "token=<token>" in the query (a WebSocket or a download link, which a
  // page cannot give headers). Compared in constant time.
  bool presented_by(const Request& request) const;

 private:
  bool matches(std::string_view candidate) const;

  std::string value_;
};

}  // namespace peerdrop::http
