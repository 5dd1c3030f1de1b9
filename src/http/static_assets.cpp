#include "http/static_assets.hpp"

#include <algorithm>

namespace peerdrop::http {

std::optional<EmbeddedAsset> StaticAssets::find(std::string_view path) const {
  if (path.empty() || path == "/") path = "/index.html";
  const auto it =
      std::find_if(assets_.begin(), assets_.end(), [&](const EmbeddedAsset& a) { return a.path == path; });
  if (it != assets_.end()) return *it;
  const auto last_segment = path.substr(path.rfind('/') + 1);
  if (last_segment.find('.') == std::string_view::npos) {
    const auto index = std::find_if(assets_.begin(), assets_.end(),
                                    [](const EmbeddedAsset& a) { return a.path == "/index.html"; });
    if (index != assets_.end()) return *index;
  }
  return std::nullopt;
}

}  // namespace peerdrop::http
