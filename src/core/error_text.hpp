#pragma once

#include <boost/system/error_code.hpp>
#include <string>
#include <string_view>

namespace peerdrop::core {

// How a failure is told to a program and to a person: the protocol's error
// code ("queue_full", "disk_full", …) and a sentence that says what went
// wrong and, where there is something to do, what to do. One table for the
// HTTP API and the UI's WebSocket alike (docs/protocol.md lists the codes).
struct ErrorText {
  std::string_view code;
  std::string sentence;
};

ErrorText error_text(const boost::system::error_code& ec);

// Whether `ec` is a file name the download folder cannot take
// (FileNameSanitizer's refusals: absolute, "..", empty, too deep, too long).
bool is_path_error(const boost::system::error_code& ec);

}  // namespace peerdrop::core
