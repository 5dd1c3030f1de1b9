#pragma once

#include <chrono>
#include <cstddef>

namespace peerdrop::ui {

struct WsConfig {
  std::size_t max_frame_bytes = 64 * 1024;        // a bigger text message from the UI closes the connection
  std::size_t max_binary_frame_bytes = 1024 * 1024 + 12;  // file bytes (transfer::FileFrame); bigger closes it too
  std::size_t max_queued_messages = 1024;         // per UI connection; beyond it the client is too slow
  std::size_t max_queued_bytes = 4 * 1024 * 1024;
  std::size_t max_sessions = 32;                  // open UI tabs
};

}  // namespace peerdrop::ui
