#include "lane/source_files.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "core/errc.hpp"

namespace peerdrop::lane {

namespace fs = std::filesystem;
using core::Errc;

namespace {

std::int64_t mtime_ns(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

boost::system::error_code errno_code() { return {errno, boost::system::system_category()}; }

}  // namespace

boost::system::result<SourceFiles> collect_source_files(const std::vector<std::string>& paths, std::size_t max_files,
                                                        std::string& failed_path) {
  SourceFiles out;
  const auto add = [&](const fs::path& source, std::string name, const struct stat& st) -> bool {
    if (out.files.size() >= max_files) return false;
    out.files.push_back(LaneFile{.path = std::move(name), .size = static_cast<std::uint64_t>(st.st_size),
                                 .source = source.string(), .mtime_ns = mtime_ns(st)});
    return true;
  };
  for (const auto& text : paths) {
    failed_path = text;
    const fs::path path = fs::path(text).lexically_normal();
    if (!path.is_absolute()) return core::make_error_code(Errc::malformed);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return errno_code();
    auto base = path.has_filename() ? path.filename() : path.parent_path().filename();
    if (S_ISREG(st.st_mode)) {
      if (!add(path, base.string(), st)) return core::make_error_code(Errc::too_many_files);
      continue;
    }
    if (!S_ISDIR(st.st_mode)) {
      ++out.skipped;
      continue;
    }
    std::error_code ec;
    std::vector<std::pair<std::string, fs::path>> found;  // sorted, so the offer's order is stable
    for (fs::recursive_directory_iterator it(path, fs::directory_options::none, ec), end; !ec && it != end;
         it.increment(ec)) {
      struct stat entry {};
      if (::lstat(it->path().c_str(), &entry) != 0) return errno_code();
      if (S_ISDIR(entry.st_mode)) continue;
      if (!S_ISREG(entry.st_mode)) {
        ++out.skipped;
        continue;
      }
      if (found.size() + out.files.size() >= max_files) return core::make_error_code(Errc::too_many_files);
      found.emplace_back((base / it->path().lexically_relative(path)).generic_string(), it->path());
    }
    if (ec) return boost::system::error_code(ec.value(), boost::system::system_category());
    std::sort(found.begin(), found.end());
    for (const auto& [name, source] : found) {
      struct stat entry {};
      if (::lstat(source.c_str(), &entry) != 0) {
        failed_path = source.string();
        return errno_code();
      }
      if (!add(source, name, entry)) return core::make_error_code(Errc::too_many_files);
    }
  }
  failed_path.clear();
  return out;
}

}  // namespace peerdrop::lane
