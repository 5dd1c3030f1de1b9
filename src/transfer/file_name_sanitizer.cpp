#include "transfer/file_name_sanitizer.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

#include "core/errc.hpp"
#include "core/utf8.hpp"

namespace peerdrop::transfer {
namespace {

using core::Errc;

constexpr auto npos = std::string_view::npos;

// Not allowed in a name on Windows (and ':' not on macOS's Finder).
bool is_replaced(char32_t c) {
  return c == '<' || c == '>' || c == ':' || c == '"' || c == '|' || c == '?' || c == '*';
}

// Invalid UTF-8 bytes and forbidden characters become '_'; controls are removed.
std::string clean_characters(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size();) {
    const auto code = core::decode_utf8(raw, i);
    if (code.length == 0) {
      out.push_back('_');
      ++i;
      continue;
    }
    if (is_replaced(code.value)) {
      out.push_back('_');
    } else if (!core::is_unsafe_in_name(code.value)) {
      out.append(raw.substr(i, code.length));
    }
    i += code.length;
  }
  return out;
}

bool is_dot_or_space(char c) { return c == '.' || c == ' '; }

void strip_trailing_dots_and_spaces(std::string& name) {
  while (!name.empty() && is_dot_or_space(name.back())) name.pop_back();
}

// The longest prefix of `s` (valid UTF-8) of at most `max` bytes that ends on a character boundary.
std::string_view utf8_prefix(std::string_view s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xc0) == 0x80) --end;
  return s.substr(0, end);
}

char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

bool ends_with_ignoring_case(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  return std::equal(suffix.begin(), suffix.end(), s.end() - static_cast<std::ptrdiff_t>(suffix.size()),
                    [](char a, char b) { return ascii_upper(a) == ascii_upper(b); });
}

// Where a name's extension starts ("a.txt" -> 1, "b.tar.gz" -> 1), or npos when
// it has none worth keeping (no dot after the first character, or too long).
std::size_t extension_start(std::string_view name) {
  auto dot = name.rfind('.');
  if (dot == npos || dot == 0 || name.size() - dot > FileNameSanitizer::kMaxKeptExtensionBytes) return npos;
  const auto stem = name.substr(0, dot);
  if (ends_with_ignoring_case(stem, ".tar") && stem.size() > 4 &&
      name.size() - (dot - 4) <= FileNameSanitizer::kMaxKeptExtensionBytes) {
    dot -= 4;
  }
  return dot;
}

// Cuts a name to kMaxComponentBytes, keeping its extension where it has one.
std::string fit_component(std::string name) {
  if (name.size() <= FileNameSanitizer::kMaxComponentBytes) return name;
  const auto start = extension_start(name);
  const std::string_view extension = start == npos ? std::string_view() : std::string_view(name).substr(start);
  const std::string_view stem = std::string_view(name).substr(0, start == npos ? name.size() : start);
  std::string out(utf8_prefix(stem, FileNameSanitizer::kMaxComponentBytes - extension.size()));
  if (extension.empty()) strip_trailing_dots_and_spaces(out);  // the cut may end in dots or spaces
  if (out.empty()) out = "_";
  out.append(extension);
  return out;
}

// CON, PRN, AUX, NUL, COM0-9, LPT0-9, COM¹²³, LPT¹²³, CONIN$, CONOUT$: Windows
// opens the device instead of the file, whatever the extension and case.
bool is_device_name(std::string_view name) {
  auto base = name.substr(0, name.find('.'));
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  std::string upper(base.size(), '\0');
  std::transform(base.begin(), base.end(), upper.begin(), ascii_upper);
  static constexpr std::array<std::string_view, 6> kNames{"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"};
  if (std::find(kNames.begin(), kNames.end(), upper) != kNames.end()) return true;
  if (!upper.starts_with("COM") && !upper.starts_with("LPT")) return false;
  const std::string_view number = std::string_view(upper).substr(3);
  return (number.size() == 1 && number[0] >= '0' && number[0] <= '9') || number == "\xc2\xb9" ||
         number == "\xc2\xb2" || number == "\xc2\xb3";
}

// One component: a name, an empty string (dropped: "", "."), or an error.
boost::system::result<std::string> sanitize_component(std::string_view raw) {
  if (raw.empty() || raw == ".") return std::string();
  if (raw == "..") return core::make_error_code(Errc::path_traversal);
  std::string name = clean_characters(raw);
  if (std::all_of(name.begin(), name.end(), is_dot_or_space)) {
    const auto dots = std::count(name.begin(), name.end(), '.');
    if (dots >= 2) return core::make_error_code(Errc::path_traversal);
    if (dots == 1) return std::string();  // "." with spaces or controls around it
    return std::string("_");              // only spaces, or nothing left
  }
  strip_trailing_dots_and_spaces(name);
  name.erase(0, name.find_first_not_of('.'));
  name = fit_component(std::move(name));
  if (is_device_name(name)) name = fit_component("_" + name);
  return name;
}

bool is_drive_letter(std::string_view path) {
  return path.size() >= 2 && ((path[0] >= 'A' && path[0] <= 'Z') || (path[0] >= 'a' && path[0] <= 'z')) &&
         path[1] == ':';
}

}  // namespace

std::string SanitizedPath::string() const {
  std::string out;
  for (const auto& component : components_) {
    if (!out.empty()) out.push_back('/');
    out.append(component);
  }
  return out;
}

boost::system::result<SanitizedPath> FileNameSanitizer::sanitize(std::string_view sender_path) {
  if (sender_path.size() > kMaxInputBytes) return core::make_error_code(Errc::too_large);
  if (sender_path.starts_with('/') || sender_path.starts_with('\\') || is_drive_letter(sender_path)) {
    return core::make_error_code(Errc::absolute_path);
  }
  std::vector<std::string> components;
  std::size_t total = 0;
  std::size_t start = 0;
  while (start <= sender_path.size()) {
    const auto end = std::min(sender_path.find_first_of("/\\", start), sender_path.size());
    auto component = sanitize_component(sender_path.substr(start, end - start));
    if (!component) return component.error();
    start = end + 1;
    if (component->empty()) continue;
    if (components.size() == kMaxDepth) return core::make_error_code(Errc::path_too_deep);
    total += (components.empty() ? 0 : 1) + component->size();
    if (total > kMaxPathBytes) return core::make_error_code(Errc::path_too_long);
    components.push_back(std::move(*component));
  }
  if (components.empty()) return core::make_error_code(Errc::empty_path);
  return SanitizedPath(std::move(components));
}

std::string FileNameSanitizer::numbered(std::string_view file_name, unsigned n) {
  const std::string suffix = " (" + std::to_string(n) + ")";
  const auto start = extension_start(file_name);
  const std::string_view extension = start == npos ? std::string_view() : file_name.substr(start);
  const std::string_view stem = file_name.substr(0, start == npos ? file_name.size() : start);
  std::string out(utf8_prefix(stem, kMaxComponentBytes - suffix.size() - extension.size()));
  out.append(suffix);
  out.append(extension);
  return out;
}

}  // namespace peerdrop::transfer
