#pragma once

#include <boost/system/result.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace peerdrop::transfer {

// A relative path inside the download folder, as FileNameSanitizer made it
// (only it can): 1 to kMaxDepth components, each 1 to kMaxComponentBytes of
// valid UTF-8 with no control, bidi-control, separator or <>:"|?* character,
// never ".", ".." or hidden (no leading dot), no trailing dot or space, never
// a Windows device name; joined by '/', at most kMaxPathBytes.
class SanitizedPath {
 public:
  const std::vector<std::string>& components() const { return components_; }
  const std::string& file_name() const { return components_.back(); }
  // The components joined by '/'.
  std::string string() const;

  friend bool operator==(const SanitizedPath&, const SanitizedPath&) = default;

 private:
  friend class FileNameSanitizer;
  explicit SanitizedPath(std::vector<std::string> components) : components_(std::move(components)) {}

  std::vector<std::string> components_;
};

// Turns a path a sender chose ("photos/2024/a.jpg") into one that is safe to
// create inside the download folder on any system the folder may end up on
// (Linux, a Windows or macOS share, a FAT stick). Pure; never throws.
//
// Refused (an error_code, core::Errc): an absolute path (leading '/' or '\',
// a drive letter "C:"), a '..' component (or any component of only dots and
// spaces with two or more dots: "...", ". ." are ".." to some path
// normalisers), a path with no file left, more than kMaxDepth components, more
// than kMaxPathBytes once sanitized, an input over kMaxInputBytes.
//
// Repaired, per component: '/' and '\' separate components; empty and "."
// components are dropped; invalid UTF-8 bytes become '_'; C0 controls, DEL,
// C1 controls and the bidi overrides and isolates (U+202A-202E, U+2066-2069,
// which make "photo\u202Egpj.exe" read as "photoexe.jpg") are removed;
// < > : " | ? * become '_'; trailing dots and spaces and then leading dots are
// stripped (no hidden files: ".bashrc" -> "bashrc"); a component left empty
// becomes "_"; a longer component is cut to kMaxComponentBytes on a UTF-8
// boundary keeping its extension; a Windows device name (CON, PRN, AUX, NUL,
// COM0-9, LPT0-9, COM/LPT with superscript 1-3, CONIN$, CONOUT$; any case,
// also with an extension: "con.txt") gets a '_' prefix.
//
// Sanitizing a sanitized path gives it back unchanged.
class FileNameSanitizer {
 public:
  static constexpr std::size_t kMaxComponentBytes = 255;  // NAME_MAX of Linux and macOS (Windows: 255 UTF-16 units)
  static constexpr std::size_t kMaxDepth = 32;            // components, the file name included
  static constexpr std::size_t kMaxPathBytes = 4096;      // the sanitized path joined by '/'
  static constexpr std::size_t kMaxInputBytes = 64 * 1024;
  static constexpr std::size_t kMaxKeptExtensionBytes = 32;  // a longer "extension" is cut like the rest of the name

  static boost::system::result<SanitizedPath> sanitize(std::string_view sender_path);

  // The n-th alternative for a taken file name (n >= 1): "a.txt" -> "a (n).txt",
  // "b.tar.gz" -> "b (n).tar.gz", "README" -> "README (n)", the stem cut (on a
  // UTF-8 boundary) so the result stays within kMaxComponentBytes. `file_name`
  // must be a sanitized component; so is the result.
  static std::string numbered(std::string_view file_name, unsigned n);
};

}  // namespace peerdrop::transfer
