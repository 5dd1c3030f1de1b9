#include "lane/lane_data_frame.hpp"

#include <limits>

#include "core/big_endian.hpp"
#include "core/errc.hpp"
#include "transfer/transfer_service.hpp"

namespace peerdrop::lane {

using core::Errc;

boost::system::result<DataFrame> parse_data_frame(std::span<const std::uint8_t> payload) {
  if (payload.empty()) return core::make_error_code(Errc::malformed);
  const std::size_t tid_bytes = payload[0];
  const std::size_t header = DataFrame::kFixedBytes + tid_bytes;
  if (payload.size() < header) return core::make_error_code(Errc::malformed);
  DataFrame frame;
  frame.tid = std::string_view(reinterpret_cast<const char*>(payload.data() + 1), tid_bytes);
  if (!transfer::TransferService::is_valid_transfer_id(frame.tid)) return core::make_error_code(Errc::malformed);
  frame.gen = core::get_big_endian<std::uint32_t>(payload, 1 + tid_bytes);
  frame.index = core::get_big_endian<std::uint32_t>(payload, 5 + tid_bytes);
  frame.offset = core::get_big_endian<std::uint64_t>(payload, 9 + tid_bytes);
  frame.bytes = payload.subspan(header);
  if (frame.bytes.size() > DataFrame::kMaxDataBytes) return core::make_error_code(Errc::too_large);
  if (frame.offset > std::numeric_limits<std::uint64_t>::max() - frame.bytes.size()) {
    return core::make_error_code(Errc::malformed);
  }
  return frame;
}

void append_data_header(std::string_view tid, std::uint32_t gen, std::uint32_t index, std::uint64_t offset,
                        std::vector<std::uint8_t>& out) {
  out.push_back(static_cast<std::uint8_t>(tid.size()));
  out.insert(out.end(), tid.begin(), tid.end());
  core::put_big_endian(out, gen);
  core::put_big_endian(out, index);
  core::put_big_endian(out, offset);
}

}  // namespace peerdrop::lane
