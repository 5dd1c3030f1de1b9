#pragma once

#include <boost/json/object.hpp>

#include "messages/message.hpp"

namespace peerdrop::messages {

// A message as the control API and the UI's WebSocket show it (docs/protocol.md, "Messages"):
// {"seq","id","peer","direction":"in"|"out","text","sentAt","state","read"}, and
// "expiresAt" (out), "deliveredAt" / "expiredAt" (out, once so), "receivedAt" (in).
boost::json::object to_json(const Message& message);

}  // namespace peerdrop::messages
