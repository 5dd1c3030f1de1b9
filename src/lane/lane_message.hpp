#pragma once

#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace peerdrop::lane {

// The control messages of the transfer lane (docs/protocol.md, "Transfer
// lane"): one JSON object per channel frame of type `transfer`, with its
// kind in "t". The sender offers; the receiver answers, then asks for the
// bytes it lacks (want) and lets them come (credit); the sender ends each
// file with its size and SHA-256; the receiver says how each landed and when
// all did. Either side may cancel.
struct OfferedFile {
  std::string path;  // relative, '/'-separated, as the sender names it (the receiver sanitizes it)
  std::uint64_t size = 0;
};
struct Offer {
  std::string tid;
  std::vector<OfferedFile> files;
};
struct Answer {
  std::string tid;
  bool accepted = false;
  std::string code;    // why not (declined, expired, disk_full, …); empty when accepted
  std::string reason;  // the same in words
};
struct WantedFile {
  std::uint32_t index = 0;
  std::uint64_t offset = 0;  // the receiver holds the bytes before it
};
// "Send these files from these offsets": starts generation `gen` of the
// transfer's data; frames of an older generation are dropped.
struct Want {
  std::string tid;
  std::uint32_t gen = 0;
  std::vector<WantedFile> files;
  std::uint64_t credit = 0;  // data bytes the sender may send in this generation
};
struct Credit {
  std::string tid;
  std::uint32_t gen = 0;
  std::uint64_t credit = 0;  // the new total for the generation (it only grows)
};
struct FileEnd {
  std::string tid;
  std::uint32_t gen = 0;
  std::uint32_t index = 0;
  std::uint64_t size = 0;
  std::string sha256;  // 64 lowercase hex digits of the whole file
};
struct FileLanded {
  std::string tid;
  std::uint32_t index = 0;
  bool ok = false;
  std::string name;    // where it landed, relative to the download folder
  std::string code;    // why not
  std::string reason;
};
struct Done {
  std::string tid;
};
struct Cancel {
  std::string tid;
  std::string code;
  std::string reason;
};
// The receiver stopped taking bytes for a while (its disk is full) and will ask again.
struct Stalled {
  std::string tid;
  std::string code;
  std::string reason;
};

using LaneMessage = std::variant<Offer, Answer, Want, Credit, FileEnd, FileLanded, Done, Cancel, Stalled>;

// The largest control message (an offer of many files is the big one).
inline constexpr std::size_t kMaxLaneMessageBytes = 1024 * 1024;
inline constexpr std::size_t kMaxOfferedFiles = 20'000;
inline constexpr std::size_t kMaxPathBytes = 4096;
inline constexpr std::size_t kMaxReasonBytes = 512;

// Errors (core::Errc): too_large (over kMaxLaneMessageBytes, more than
// kMaxOfferedFiles files, a path or reason too long), malformed (not the
// documented shape: unknown kind, a missing or mistyped field, a bad
// transfer id, a size past 2^53 - 1, duplicate file indexes in a want).
boost::system::result<LaneMessage> parse_lane_message(std::string_view text);
std::string serialize(const LaneMessage& message);

}  // namespace peerdrop::lane
