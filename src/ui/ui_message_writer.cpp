#include "ui/ui_message_writer.hpp"

#include <boost/json/serialize.hpp>

namespace peerdrop::ui {

namespace json = boost::json;

namespace {

std::string text(json::object message, const std::optional<json::value>& ref = std::nullopt) {
  if (ref) message["ref"] = *ref;
  return json::serialize(message);
}

}  // namespace

std::string serialize(const Welcome& m) {
  return text({{"type", "welcome"},
               {"protocol", kProtocolVersion},
               {"self", json::object{{"id", m.self.id},
                                     {"name", m.self.name},
                                     {"version", m.self.version},
                                     {"port", m.self.port},
                                     {"discoveryPort", m.self.discovery_port}}},
               {"settings", m.settings}});
}

std::string serialize(const PeerList& m) { return text({{"type", "peers"}, {"peers", m.peers}}); }

std::string serialize(const SettingsPush& m) { return text({{"type", "settings"}, {"settings", m.settings}}); }

std::string serialize(const RelayState& m) { return text({{"type", "relay"}, {"relay", m.relay}}); }

std::string serialize(const FileList& m) { return text({{"type", "files"}, {"files", m.files}}); }

std::string serialize(const SignalAck& m) {
  return text({{"type", "ack"}, {"seq", m.seq}, {"to", m.to}, {"peerOnline", m.peer_online}}, m.ref);
}

std::string serialize(const Delivered& m) { return text({{"type", "delivered"}}, m.ref); }

std::string serialize(const Expired& m) { return text({{"type", "expired"}, {"to", m.to}, {"error", m.error}}, m.ref); }

std::string serialize(const PeerSignal& m) {
  return text({{"type", "signal"},
               {"from", m.from},
               {"kind", m.kind},
               {"session", m.session},
               {"payload", m.payload},
               {"seq", m.seq}});
}

std::string serialize(const SessionTaken& m) {
  return text({{"type", "session_taken"}, {"peer", m.peer}, {"session", m.session}});
}

std::string serialize(const IceServers& m) {
  return text({{"type", "ice_servers"}, {"peer", m.peer}, {"iceServers", m.servers}}, m.ref);
}

std::string serialize(const FileOpened& m) {
  json::object out{{"type", "file_opened"}, {"tid", m.tid},       {"i", m.index},
                   {"handle", m.handle},    {"offset", m.offset}, {"name", m.name}};
  if (m.complete) out["complete"] = true;
  return text(std::move(out), m.ref);
}

std::string serialize(const FileFinished& m) {
  json::object out{{"type", "file_finished"}, {"tid", m.tid}, {"i", m.index}, {"ok", m.ok}};
  if (m.ok) {
    out["name"] = m.name;
  } else {
    out["code"] = m.code;
    out["error"] = m.error;
  }
  return text(std::move(out), m.ref);
}

std::string serialize(const FileProgress& m) {
  return text({{"type", "file_progress"},
               {"peer", m.peer},
               {"tid", m.tid},
               {"i", m.index},
               {"received", m.received},
               {"durable", m.durable}});
}

std::string serialize(const MessagePush& m) { return text({{"type", "message"}, {"message", m.message}}); }

std::string serialize(const UnreadCounts& m) { return text({{"type", "unread_messages"}, {"unread", m.unread}}); }

std::string serialize(const ErrorMessage& m) {
  json::object out{{"type", "error"}, {"code", m.code}, {"error", m.error}};
  if (m.handle) out["handle"] = *m.handle;
  return text(std::move(out), m.ref);
}

}  // namespace peerdrop::ui
