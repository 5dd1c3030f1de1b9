// Fuzzes the transfer lane's data frames (lane/lane_data_frame.hpp): the
// payload of a `transfer_data` frame another daemon sent.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "core/errc.hpp"
#include "fuzz_check.hpp"
#include "lane/lane_data_frame.hpp"
#include "transfer/transfer_service.hpp"

namespace {

template <typename T>
T big_endian_at(const std::uint8_t* data, std::size_t at) {
  T value = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) value = static_cast<T>((value << 8) | data[at + i]);
  return value;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using peerdrop::core::Errc;
  using peerdrop::lane::DataFrame;
  const std::span<const std::uint8_t> payload(data, size);
  const auto result = peerdrop::lane::parse_data_frame(payload);
  if (!result) {
    PEERDROP_FUZZ_CHECK(result.error() == peerdrop::core::make_error_code(Errc::malformed) ||
                        result.error() == peerdrop::core::make_error_code(Errc::too_large));
    if (size == 0 || size < DataFrame::kFixedBytes + data[0]) {
      PEERDROP_FUZZ_CHECK(result.error() == peerdrop::core::make_error_code(Errc::malformed));
    }
    return 0;
  }
  // The fields are the header's bytes; the tid and the data stay in place.
  const std::size_t tid_bytes = data[0];
  const std::size_t header = DataFrame::kFixedBytes + tid_bytes;
  PEERDROP_FUZZ_CHECK(size >= header);
  PEERDROP_FUZZ_CHECK(result->tid.size() == tid_bytes);
  PEERDROP_FUZZ_CHECK(reinterpret_cast<const std::uint8_t*>(result->tid.data()) == data + 1);
  PEERDROP_FUZZ_CHECK(peerdrop::transfer::TransferService::is_valid_transfer_id(result->tid));
  PEERDROP_FUZZ_CHECK(result->gen == big_endian_at<std::uint32_t>(data, 1 + tid_bytes));
  PEERDROP_FUZZ_CHECK(result->index == big_endian_at<std::uint32_t>(data, 5 + tid_bytes));
  PEERDROP_FUZZ_CHECK(result->offset == big_endian_at<std::uint64_t>(data, 9 + tid_bytes));
  PEERDROP_FUZZ_CHECK(result->bytes.data() == data + header && result->bytes.size() == size - header);
  PEERDROP_FUZZ_CHECK(result->bytes.size() <= DataFrame::kMaxDataBytes);
  PEERDROP_FUZZ_CHECK(result->offset <= std::numeric_limits<std::uint64_t>::max() - result->bytes.size());
  // Written out again, it is the same bytes, and parses to the same frame.
  std::vector<std::uint8_t> encoded;
  peerdrop::lane::append_data_header(result->tid, result->gen, result->index, result->offset, encoded);
  encoded.insert(encoded.end(), result->bytes.begin(), result->bytes.end());
  PEERDROP_FUZZ_CHECK(encoded.size() == size && std::equal(encoded.begin(), encoded.end(), data));
  const auto again = peerdrop::lane::parse_data_frame(encoded);
  PEERDROP_FUZZ_CHECK(again && again->tid == result->tid && again->gen == result->gen &&
                      again->index == result->index && again->offset == result->offset &&
                      again->bytes.size() == result->bytes.size());
  return 0;
}
