#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "lane/lane_transfer.hpp"

namespace peerdrop::lane {

// Keeps in memory what LaneStore keeps on disk: of the ended transfers in
// `entries` (a map whose values have a `record`), the newest `max_kept`,
// counting `keep` (the one that just ended, never dropped).
template <typename Map>
void forget_finished(Map& entries, const typename Map::mapped_type& keep, std::size_t max_kept) {
  std::vector<typename Map::iterator> ended;
  for (auto it = entries.begin(); it != entries.end(); ++it) {
    if (is_final(it->second.record.state) && &it->second != &keep) ended.push_back(it);
  }
  if (ended.size() < max_kept) return;
  std::sort(ended.begin(), ended.end(),
            [](const auto& x, const auto& y) { return x->second.record.updated_at < y->second.record.updated_at; });
  for (std::size_t i = 0; i + max_kept <= ended.size(); ++i) entries.erase(ended[i]);
}

}  // namespace peerdrop::lane
