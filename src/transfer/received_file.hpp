#pragma once

#include <cstdint>
#include <string>

namespace peerdrop::transfer {

// A file that was received, verified and moved to its final name.
struct ReceivedFile {
  std::string name;  // relative path inside the download folder, '/'-separated
  std::uint64_t size = 0;
  std::string sha256;            // 64 lowercase hex digits
  std::string from;              // the sending peer's id
  std::int64_t received_at = 0;  // Unix ms
  std::string transfer_id;       // the sender's transfer id, and the file's index in it
  std::uint32_t index = 0;

  bool operator==(const ReceivedFile&) const = default;
};

}  // namespace peerdrop::transfer
