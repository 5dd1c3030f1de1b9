#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "core/errc.hpp"
#include "messages/message_access.hpp"
#include "messages/message_text.hpp"

namespace peerdrop::testing {

// The messages port with a list in memory: send appends (or fails with
// `send_error`), the queries read the list.
class FakeMessageAccess final : public messages::MessageAccess {
 public:
  boost::system::result<messages::Message> send(const std::string& peer, std::string_view text) override {
    if (send_error) return send_error;
    if (const auto ec = messages::check_message_text(text)) return ec;
    messages::Message m{.seq = static_cast<std::int64_t>(list.size() + 1),
                        .id = "id" + std::string(30, '0') + std::to_string(list.size() % 10),
                        .peer = peer,
                        .direction = messages::Message::Direction::out,
                        .text = std::string(text),
                        .sent_at = 1000,
                        .expires_at = 2000,
                        .read = true};
    list.push_back(m);
    return m;
  }
  std::vector<messages::Message> history(const std::string& peer, std::int64_t before,
                                         std::size_t limit) const override {
    std::vector<messages::Message> out;
    for (auto it = list.rbegin(); it != list.rend() && out.size() < limit; ++it) {
      if (it->peer == peer && (before == 0 || it->seq < before)) out.insert(out.begin(), *it);
    }
    last_limit = limit;
    return out;
  }
  std::vector<messages::Message> unread(std::size_t limit) const override {
    std::vector<messages::Message> out;
    for (const auto& m : list) {
      if (m.direction == messages::Message::Direction::in && !m.read && out.size() < limit) out.push_back(m);
    }
    return out;
  }
  std::map<std::string, std::size_t> unread_counts() const override {
    std::map<std::string, std::size_t> out;
    for (const auto& m : unread(SIZE_MAX)) ++out[m.peer];
    return out;
  }
  std::optional<messages::Message> find(std::string_view id) const override {
    for (const auto& m : list) {
      if (m.id == id) return m;
    }
    return std::nullopt;
  }
  boost::system::result<std::size_t> mark_read(const std::string& peer) override {
    std::size_t count = 0;
    for (auto& m : list) {
      if (m.peer == peer && !m.read) {
        m.read = true;
        ++count;
      }
    }
    return count;
  }

  std::vector<messages::Message> list;
  boost::system::error_code send_error;
  mutable std::size_t last_limit = 0;
};

}  // namespace peerdrop::testing
