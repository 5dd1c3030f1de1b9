#include "core/base64.hpp"

#include <sodium.h>

namespace peerdrop::core {

std::string base64_encode(std::span<const std::uint8_t> bytes) {
  const auto variant = sodium_base64_VARIANT_ORIGINAL;
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text, std::size_t max_bytes) {
  if (text.size() > (max_bytes + 2) / 3 * 4) return std::nullopt;
  std::vector<std::uint8_t> out(max_bytes);
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

}  // namespace peerdrop::core
