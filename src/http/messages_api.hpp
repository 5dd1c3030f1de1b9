#pragma once

#include <string_view>

#include "http/json_response.hpp"
#include "messages/message_access.hpp"

namespace peerdrop::http {

// The control API's messages (docs/protocol.md, "Messages"), for ApiHandler
// once a request passed its checks (local, control token):
//   GET  /api/messages?peer=ID[&before=SEQ][&limit=N]  a conversation, oldest first
//   GET  /api/messages?unread=1[&limit=N]               unread incoming messages, and counts per peer
//   POST /api/messages {"to":ID,"text":"…"}            201 and the queued message
//   GET  /api/messages/{id}                             one message (its state)
//   POST /api/messages/read {"peer":ID}                 marks the peer's incoming messages read
class MessagesApi {
 public:
  static constexpr std::size_t kDefaultLimit = 100;
  static constexpr std::size_t kMaxLimit = 1000;

  explicit MessagesApi(messages::MessageAccess& messages) : messages_(messages) {}

  static bool serves(std::string_view path) { return path == "/api/messages" || path.starts_with("/api/messages/"); }
  Response handle(const Request& request, std::string_view path);

 private:
  Response list(const Request& request);
  Response send(const Request& request);
  Response mark_read(const Request& request);
  Response one(std::string_view id);

  messages::MessageAccess& messages_;
};

}  // namespace peerdrop::http
