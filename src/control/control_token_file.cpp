#include "control/control_token_file.hpp"

#include "core/errc.hpp"
#include "core/fd_io.hpp"

namespace peerdrop::control {
namespace {

constexpr std::size_t kTokenChars = 52;  // base32 of 32 bytes, no padding
constexpr std::size_t kMaxFileBytes = 64;

}  // namespace

bool is_control_token(std::string_view text) {
  if (text.size() != kTokenChars) return false;
  for (const char c : text) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7'))) return false;
  }
  return true;
}

boost::system::result<std::string> read_control_token(const std::filesystem::path& data_dir) {
  auto text = core::read_small_file(data_dir / kControlTokenFileName, kMaxFileBytes);
  if (!text) return text.error();
  if (text->ends_with('\n')) text->pop_back();
  if (text->ends_with('\r')) text->pop_back();
  if (!is_control_token(*text)) return make_error_code(core::Errc::malformed);
  return std::move(*text);
}

}  // namespace peerdrop::control
