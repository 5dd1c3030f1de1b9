#include "notify/notification_registry.hpp"

namespace peerdrop::notify {

NotificationRegistry::Admission NotificationRegistry::admit(const std::string& key) const {
  if (entries_.count(key) != 0) return Admission::already_shown;
  if (entries_.size() >= capacity_) return Admission::full;
  return Admission::admitted;
}

void NotificationRegistry::requested(const std::string& key, std::uint64_t request) {
  entries_[key] = Entry{.request = request};
  key_by_request_[request] = key;
}

std::optional<NotificationRegistry::Shown> NotificationRegistry::shown(std::uint64_t request, std::uint32_t id) {
  const auto found = key_by_request_.find(request);
  if (found == key_by_request_.end()) return std::nullopt;
  Shown shown{.key = found->second};
  key_by_request_.erase(found);
  auto& entry = entries_.at(shown.key);
  if (entry.withdrawn) {
    entries_.erase(shown.key);
    shown.close_now = true;
    return shown;
  }
  entry.request.reset();
  entry.id = id;
  key_by_id_[id] = shown.key;
  return shown;
}

std::optional<std::string> NotificationRegistry::failed(std::uint64_t request) {
  const auto found = key_by_request_.find(request);
  if (found == key_by_request_.end()) return std::nullopt;
  auto key = found->second;
  key_by_request_.erase(found);
  entries_.erase(key);
  return key;
}

std::optional<std::uint32_t> NotificationRegistry::withdraw(const std::string& key) {
  const auto found = entries_.find(key);
  if (found == entries_.end()) return std::nullopt;
  if (!found->second.id) {  // still being shown: closed when the id comes
    found->second.withdrawn = true;
    return std::nullopt;
  }
  const auto id = *found->second.id;
  key_by_id_.erase(id);
  entries_.erase(found);
  return id;
}

std::optional<NotificationRegistry::Event> NotificationRegistry::take(std::uint32_t id, Answer answer) {
  const auto found = key_by_id_.find(id);
  if (found == key_by_id_.end()) return std::nullopt;
  Event event{.key = found->second, .answer = answer, .id = id};
  entries_.erase(found->second);
  key_by_id_.erase(found);
  return event;
}

std::optional<NotificationRegistry::Event> NotificationRegistry::action_invoked(std::uint32_t id,
                                                                                std::string_view action) {
  if (action == "accept") return take(id, Answer::accepted);
  if (action == "decline") return take(id, Answer::declined);
  return std::nullopt;
}

std::optional<NotificationRegistry::Event> NotificationRegistry::closed(std::uint32_t id) {
  return take(id, Answer::dismissed);
}

std::vector<std::uint32_t> NotificationRegistry::withdraw_all() {
  std::vector<std::string> keys;
  for (const auto& [key, entry] : entries_) keys.push_back(key);
  std::vector<std::uint32_t> ids;
  for (const auto& key : keys) {
    if (const auto id = withdraw(key)) ids.push_back(*id);
  }
  return ids;
}

std::vector<std::uint32_t> NotificationRegistry::clear() {
  std::vector<std::uint32_t> ids;
  for (const auto& [id, key] : key_by_id_) ids.push_back(id);
  entries_.clear();
  key_by_request_.clear();
  key_by_id_.clear();
  return ids;
}

}  // namespace peerdrop::notify
