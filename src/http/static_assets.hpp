#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace peerdrop::http {

struct EmbeddedAsset {
  std::string_view path;  // "/index.html"
  std::string_view content_type;
  std::string_view bytes;
};

// The web UI's files, embedded into the binary at build time
// (cmake/embed_assets.cmake generates the table).
std::span<const EmbeddedAsset> embedded_assets();

class StaticAssets {
 public:
  explicit StaticAssets(std::span<const EmbeddedAsset> assets = embedded_assets()) : assets_(assets) {}

  // "/" is "/index.html"; a path without a file extension that is not a file
  // falls back to index.html (the UI routes on the client).
  std::optional<EmbeddedAsset> find(std::string_view path) const;

 private:
  std::span<const EmbeddedAsset> assets_;
};

}  // namespace peerdrop::http
