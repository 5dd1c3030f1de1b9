// Fuzzes what the daemon takes from a UI tab's binary WebSocket messages
// (docs/protocol.md, "File transfer, version 1"): transfer::parse_file_frame
// on the whole input, and then the input as a sequence of frames
// (u16 big-endian length, frame) written through TransferService into one
// open 4 KiB file, checked against a model of the received prefix.
#include <spdlog/sinks/null_sink.h>
#include <stdlib.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "core/big_endian.hpp"
#include "core/errc.hpp"
#include "fuzz_check.hpp"
#include "support/fake_clock.hpp"
#include "transfer/file_frame.hpp"
#include "transfer/transfer_service.hpp"

namespace {

using namespace peerdrop;
using core::Errc;
using transfer::FileFrame;

constexpr std::uint64_t kFileSize = 4096;
const std::string kPeer(52, 'P');
const std::string kTid = "fuzz_transfer_0123456789";

// The decoded fields are the bytes of the header; the data is the rest, in place.
void check_single(std::span<const std::uint8_t> input) {
  const auto parsed = transfer::parse_file_frame(input);
  if (input.size() < FileFrame::kHeaderBytes) {
    PEERDROP_FUZZ_CHECK(!parsed && parsed.error() == Errc::malformed);
    return;
  }
  if (input.size() > FileFrame::kMaxFrameBytes) {
    PEERDROP_FUZZ_CHECK(!parsed && parsed.error() == Errc::too_large);
    return;
  }
  const auto offset = core::get_big_endian<std::uint64_t>(input, 4);
  const auto length = input.size() - FileFrame::kHeaderBytes;
  if (length > UINT64_MAX - offset) {
    PEERDROP_FUZZ_CHECK(!parsed && parsed.error() == Errc::malformed);
    return;
  }
  PEERDROP_FUZZ_CHECK(parsed.has_value());
  PEERDROP_FUZZ_CHECK(parsed->handle == core::get_big_endian<std::uint32_t>(input, 0));
  PEERDROP_FUZZ_CHECK(parsed->offset == offset);
  PEERDROP_FUZZ_CHECK(parsed->bytes.data() == input.data() + FileFrame::kHeaderBytes);
  PEERDROP_FUZZ_CHECK(parsed->bytes.size() == length);
  std::vector<std::uint8_t> again;
  transfer::append_file_frame(parsed->handle, parsed->offset, parsed->bytes, again);
  PEERDROP_FUZZ_CHECK(std::equal(again.begin(), again.end(), input.begin(), input.end()));
}

core::Logger quiet_logger() {
  return std::make_shared<spdlog::logger>("fuzz", std::make_shared<spdlog::sinks::null_sink_st>());
}

// One download folder for the whole run (a fresh one per input would be slower, not different).
struct Writer {
  std::filesystem::path dir;
  transfer::DownloadFolder folder;
  testing::FakeClock clock;
  transfer::TransferConfig config;
  transfer::TransferService service;

  static transfer::TransferConfig small_checkpoints() {
    transfer::TransferConfig config;
    config.checkpoint_bytes = 1024;  // a few checkpoints per 4 KiB file
    return config;
  }
  static std::filesystem::path make_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "peerdrop-fuzz-XXXXXX").string();
    PEERDROP_FUZZ_CHECK(::mkdtemp(pattern.data()) != nullptr);
    return pattern;
  }
  Writer()
      : dir(make_dir()),
        folder(transfer::DownloadFolder::open(dir).value()),
        config(small_checkpoints()),
        service(folder, config, clock, quiet_logger()) {}
  ~Writer() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

void check_sequence(std::span<const std::uint8_t> input) {
  static Writer writer;
  auto& service = writer.service;
  const auto opened = service.open(1, {.peer = kPeer, .transfer_id = kTid, .index = 0, .path = "f", .size = kFileSize});
  PEERDROP_FUZZ_CHECK(opened && opened->offset == 0);
  std::string model;  // the received prefix: the first copy of each byte wins
  std::size_t at = 0;
  while (at + 2 <= input.size()) {
    const auto length = std::min<std::size_t>(core::get_big_endian<std::uint16_t>(input, at), input.size() - at - 2);
    const auto frame = input.subspan(at + 2, length);
    at += 2 + length;
    const auto result = service.receive_frame(1, frame);
    const auto parsed = transfer::parse_file_frame(frame);
    if (!parsed) {
      PEERDROP_FUZZ_CHECK(result.error == parsed.error() && !result.handle);
      continue;
    }
    PEERDROP_FUZZ_CHECK(result.handle == parsed->handle);
    if (parsed->handle != opened->handle) {
      PEERDROP_FUZZ_CHECK(result.error == Errc::unknown_handle);
    } else if (parsed->offset > model.size()) {
      PEERDROP_FUZZ_CHECK(result.error == Errc::out_of_order);
    } else if (parsed->bytes.size() > kFileSize - parsed->offset) {
      PEERDROP_FUZZ_CHECK(result.error == Errc::too_large);
    } else {
      PEERDROP_FUZZ_CHECK(!result.error);
      const auto end = parsed->offset + parsed->bytes.size();
      if (end > model.size()) {
        const auto fresh = parsed->bytes.subspan(model.size() - parsed->offset);
        model.append(fresh.begin(), fresh.end());
      }
    }
  }
  // What is on disk is the model's prefix, and a reopen (another tab) offers all of it.
  service.tab_closed(1);
  const auto name = transfer::PartialFile::partial_name(transfer::TransferService::scoped_id(kPeer, kTid), 0);
  std::ifstream in(writer.folder.partial_path() / name, std::ios::binary);
  const std::string on_disk{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  PEERDROP_FUZZ_CHECK(on_disk == model);
  const auto reopened =
      service.open(2, {.peer = kPeer, .transfer_id = kTid, .index = 0, .path = "f", .size = kFileSize});
  PEERDROP_FUZZ_CHECK(reopened && reopened->offset == model.size());
  PEERDROP_FUZZ_CHECK(!service.cancel(kPeer, kTid));
  service.tab_closed(2);
  PEERDROP_FUZZ_CHECK(service.open_handles() == 0 && service.active_files() == 0);
  PEERDROP_FUZZ_CHECK(!std::filesystem::exists(writer.folder.partial_path() / name));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  check_single(input);
  check_sequence(input);
  return 0;
}
