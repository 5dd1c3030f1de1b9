#pragma once

#include <functional>
#include <optional>
#include <string>

#include "http/api_handler.hpp"
#include "support/fake_file_library.hpp"
#include "support/fake_lane_control.hpp"
#include "support/fake_message_access.hpp"
#include "support/fake_peer_directory.hpp"
#include "support/fake_settings.hpp"

namespace peerdrop::testing {

// Fakes for every port of the HTTP API. A test may set relay_status and
// relay_ready at any time: the handler asks them on every request.
struct FakeApiServices {
  http::ApiServices services() {
    return http::ApiServices{
        .directory = directory,
        .settings = settings,
        .files = files,
        .lane = lane,
        .relay_status = [this] { return relay_status ? std::optional(relay_status()) : std::nullopt; },
        .relay_ready = [this](const std::string& id) { return relay_ready && relay_ready(id); },
        .messages = messages};
  }

  FakePeerDirectory directory;
  FakeSettings settings;
  FakeFileLibrary files;
  FakeLaneControl lane;
  FakeMessageAccess messages;
  std::function<boost::json::object()> relay_status;
  std::function<bool(const std::string&)> relay_ready;
};

}  // namespace peerdrop::testing
