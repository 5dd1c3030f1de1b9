#pragma once

#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messages/message.hpp"

namespace peerdrop::messages {

// The messages as the control API sees them (GET and POST /api/messages):
// a port that MessageService implements and the HTTP tests fake.
class MessageAccess {
 public:
  virtual ~MessageAccess() = default;

  // Queues `text` for a verified peer. Errors: unknown_peer, malformed or
  // too_large (the text, message_text.hpp), queue_full, storage_failed.
  virtual boost::system::result<Message> send(const std::string& peer, std::string_view text) = 0;
  virtual std::vector<Message> history(const std::string& peer, std::int64_t before, std::size_t limit) const = 0;
  virtual std::vector<Message> unread(std::size_t limit) const = 0;
  virtual std::map<std::string, std::size_t> unread_counts() const = 0;
  virtual std::optional<Message> find(std::string_view id) const = 0;
  // Marks the peer's incoming messages read; how many were unread. Errors: storage_failed.
  virtual boost::system::result<std::size_t> mark_read(const std::string& peer) = 0;
};

}  // namespace peerdrop::messages
