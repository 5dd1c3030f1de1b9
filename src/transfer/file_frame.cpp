#include "transfer/file_frame.hpp"

#include <limits>

#include "core/big_endian.hpp"
#include "core/errc.hpp"

namespace peerdrop::transfer {

boost::system::result<FileFrame> parse_file_frame(std::span<const std::uint8_t> frame) {
  if (frame.size() < FileFrame::kHeaderBytes) return core::make_error_code(core::Errc::malformed);
  if (frame.size() > FileFrame::kMaxFrameBytes) return core::make_error_code(core::Errc::too_large);
  FileFrame out;
  out.handle = core::get_big_endian<std::uint32_t>(frame, 0);
  out.offset = core::get_big_endian<std::uint64_t>(frame, 4);
  out.bytes = frame.subspan(FileFrame::kHeaderBytes);
  if (out.bytes.size() > std::numeric_limits<std::uint64_t>::max() - out.offset) {
    return core::make_error_code(core::Errc::malformed);
  }
  return out;
}

void append_file_frame(std::uint32_t handle, std::uint64_t offset, std::span<const std::uint8_t> bytes,
                       std::vector<std::uint8_t>& out) {
  out.reserve(out.size() + FileFrame::kHeaderBytes + bytes.size());
  core::put_big_endian(out, handle);
  core::put_big_endian(out, offset);
  out.insert(out.end(), bytes.begin(), bytes.end());
}

}  // namespace peerdrop::transfer
