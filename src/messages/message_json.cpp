#include "messages/message_json.hpp"

namespace peerdrop::messages {

boost::json::object to_json(const Message& message) {
  boost::json::object out{{"seq", message.seq},
                          {"id", message.id},
                          {"peer", message.peer},
                          {"direction", to_string(message.direction)},
                          {"text", message.text},
                          {"sentAt", message.sent_at},
                          {"state", to_string(message.state)},
                          {"read", message.read}};
  switch (message.state) {
    case Message::State::queued: out["expiresAt"] = message.expires_at; break;
    case Message::State::delivered: out["deliveredAt"] = message.done_at; break;
    case Message::State::expired: out["expiredAt"] = message.done_at; break;
    case Message::State::received: out["receivedAt"] = message.done_at; break;
  }
  return out;
}

}  // namespace peerdrop::messages
