// Fuzzes transfer::FileNameSanitizer: the path a sender chose for a file it
// offers ("photos/2024/a.jpg"), which decides where the file is written.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/errc.hpp"
#include "fuzz_check.hpp"
#include "transfer/file_name_sanitizer.hpp"

namespace {

using peerdrop::core::Errc;
using peerdrop::transfer::FileNameSanitizer;
using peerdrop::transfer::SanitizedPath;

// Decodes `s` as strict UTF-8 (shortest form, no surrogates, at most U+10FFFF),
// calling `visit` with each code point; false if it is not UTF-8. Written apart
// from the sanitizer's own decoder on purpose.
template <typename Visit>
bool for_each_code_point(std::string_view s, Visit visit) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const std::size_t n = b < 0x80                ? 1
                          : b >= 0xc2 && b <= 0xdf ? 2
                          : b >= 0xe0 && b <= 0xef ? 3
                          : b >= 0xf0 && b <= 0xf4 ? 4
                                                   : 0;
    if (n == 0 || i + n > s.size()) return false;
    char32_t c = n == 1 ? b : b & (0x7f >> n);
    for (std::size_t k = 1; k < n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      c = (c << 6) | (cc & 0x3f);
    }
    if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff)) {
      return false;
    }
    visit(c);
    i += n;
  }
  return true;
}

bool is_forbidden(char32_t c) {
  return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
         (c >= 0x2066 && c <= 0x2069) || c == '/' || c == '\\' || c == '<' || c == '>' || c == ':' || c == '"' ||
         c == '|' || c == '?' || c == '*';
}

bool is_device_name(std::string_view name) {
  auto base = std::string(name.substr(0, name.find('.')));
  while (!base.empty() && base.back() == ' ') base.pop_back();
  for (auto& c : base) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  }
  static const std::array<std::string_view, 6> kNames{"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"};
  for (const auto device : kNames) {
    if (base == device) return true;
  }
  if (base.size() < 4 || (!base.starts_with("COM") && !base.starts_with("LPT"))) return false;
  const auto number = std::string_view(base).substr(3);
  return (number.size() == 1 && number[0] >= '0' && number[0] <= '9') || number == "\xc2\xb9" ||
         number == "\xc2\xb2" || number == "\xc2\xb3";
}

// One component of a sanitized path: safe to create on Linux, Windows and macOS.
void check_component(std::string_view name) {
  PEERDROP_FUZZ_CHECK(!name.empty() && name.size() <= FileNameSanitizer::kMaxComponentBytes);
  PEERDROP_FUZZ_CHECK(name != "." && name != "..");
  PEERDROP_FUZZ_CHECK(name.front() != '.');                       // not hidden, never ".."
  PEERDROP_FUZZ_CHECK(name.back() != '.' && name.back() != ' ');  // Windows would strip them
  bool allowed = true;
  PEERDROP_FUZZ_CHECK(for_each_code_point(name, [&](char32_t c) { allowed = allowed && !is_forbidden(c); }));
  PEERDROP_FUZZ_CHECK(allowed);
  PEERDROP_FUZZ_CHECK(!is_device_name(name));
}

void check_path(const SanitizedPath& path) {
  const auto& components = path.components();
  PEERDROP_FUZZ_CHECK(!components.empty() && components.size() <= FileNameSanitizer::kMaxDepth);
  for (const auto& component : components) check_component(component);
  const auto joined = path.string();
  PEERDROP_FUZZ_CHECK(joined.size() <= FileNameSanitizer::kMaxPathBytes);
  PEERDROP_FUZZ_CHECK(joined.front() != '/' && joined.find("//") == std::string::npos);
  PEERDROP_FUZZ_CHECK(!(joined.size() >= 2 && joined[1] == ':'));  // no drive letter
  // A sanitized path is a fixed point.
  const auto again = FileNameSanitizer::sanitize(joined);
  PEERDROP_FUZZ_CHECK(again && *again == path);
}

bool is_drive_letter(std::string_view s) {
  return s.size() >= 2 && ((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z') && s[1] == ':';
}

// Each refusal has a reason the input shows.
void check_refused(std::string_view input, const boost::system::error_code& error) {
  if (error == Errc::too_large) {
    PEERDROP_FUZZ_CHECK(input.size() > FileNameSanitizer::kMaxInputBytes);
  } else if (error == Errc::absolute_path) {
    PEERDROP_FUZZ_CHECK(input.starts_with('/') || input.starts_with('\\') || is_drive_letter(input));
  } else if (error == Errc::path_traversal) {
    PEERDROP_FUZZ_CHECK(std::count(input.begin(), input.end(), '.') >= 2);
  } else {
    PEERDROP_FUZZ_CHECK(error == Errc::empty_path || error == Errc::path_too_deep || error == Errc::path_too_long);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto result = FileNameSanitizer::sanitize(input);
  const auto again = FileNameSanitizer::sanitize(input);
  PEERDROP_FUZZ_CHECK(result.has_value() == again.has_value());
  if (!result) {
    PEERDROP_FUZZ_CHECK(result.error() == again.error());
    check_refused(input, result.error());
    return 0;
  }
  PEERDROP_FUZZ_CHECK(*result == *again);
  check_path(*result);
  // The names a collision gives the file are as safe as the name itself.
  for (const unsigned n : {1u, 9u, 10u, 999u, static_cast<unsigned>(size % 100'000) + 1}) {
    const auto numbered = FileNameSanitizer::numbered(result->file_name(), n);
    check_component(numbered);
    PEERDROP_FUZZ_CHECK(numbered.find(" (" + std::to_string(n) + ")") != std::string::npos);
    const auto alone = FileNameSanitizer::sanitize(numbered);
    PEERDROP_FUZZ_CHECK(alone && alone->string() == numbered);
  }
  return 0;
}
