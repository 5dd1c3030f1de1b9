#include "discovery/connect_schedule.hpp"

#include <algorithm>
#include <set>

namespace peerdrop::discovery {

ConnectSchedule::ConnectSchedule(const core::Clock& clock, Config config) : clock_(clock), config_(config) {}

std::vector<ConnectSchedule::Target> ConnectSchedule::due(const std::vector<Target>& wanted, std::size_t max) {
  const auto now = clock_.now();
  std::erase_if(dead_, [now](const auto& entry) { return entry.second <= now; });
  std::set<Target> wanted_set;
  std::vector<Target> out;
  for (const auto& target : wanted) {
    if (dead(target)) continue;
    wanted_set.insert(target);
    auto [it, fresh] = states_.try_emplace(target, State{.next = now});
    auto& state = it->second;
    if (out.size() < max && !state.under_way && now >= state.next) {
      state.under_way = true;
      out.push_back(target);
    }
  }
  std::erase_if(states_, [&](const auto& entry) {
    return !entry.second.under_way && !wanted_set.count(entry.first);
  });
  return out;
}

bool ConnectSchedule::failed(const Target& target) {
  const auto it = states_.find(target);
  if (it == states_.end()) return false;
  auto& state = it->second;
  state.under_way = false;
  ++state.failures;
  if (target.candidate && state.failures >= config_.max_candidate_tries) {
    states_.erase(it);
    if (dead_.size() >= config_.max_dead) {
      dead_.erase(std::min_element(dead_.begin(), dead_.end(),
                                   [](const auto& a, const auto& b) { return a.second < b.second; }));
    }
    dead_[target] = clock_.now() + config_.dead_for;
    return true;
  }
  auto wait = config_.first_retry;
  for (std::size_t i = 1; i < state.failures && wait < config_.max_retry; ++i) wait *= 2;
  state.next = clock_.now() + std::min(wait, config_.max_retry);
  return false;
}

void ConnectSchedule::succeeded(const Target& target) { states_.erase(target); }

void ConnectSchedule::hurry(const std::string& id) {
  const auto now = clock_.now();
  for (auto& [target, state] : states_) {
    if (target.id == id && !state.under_way) {
      state.next = now;
      if (!target.candidate) state.failures = 0;
    }
  }
}

void ConnectSchedule::forget(const std::string& id) {
  std::erase_if(states_, [&](const auto& entry) { return entry.first.id == id && !entry.second.under_way; });
}

bool ConnectSchedule::dead(const Target& target) const {
  const auto it = dead_.find(target);
  return it != dead_.end() && it->second > clock_.now();
}

std::size_t ConnectSchedule::under_way() const {
  return static_cast<std::size_t>(
      std::count_if(states_.begin(), states_.end(), [](const auto& entry) { return entry.second.under_way; }));
}

}  // namespace peerdrop::discovery
