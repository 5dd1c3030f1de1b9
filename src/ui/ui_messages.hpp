#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace peerdrop::ui {

// The UI's WebSocket protocol, version 1 (docs/protocol.md, "The UI's
// WebSocket" and "File transfer, version 1"): one struct per message.
// Messages from a tab are read by parse_ui_message (ui_message_parser.hpp),
// messages to tabs written by serialize (ui_message_writer.hpp).

// A UI tab's id (UiHub's session id).
using Tab = std::uint64_t;

inline constexpr int kProtocolVersion = 1;

// ---- UI to daemon -------------------------------------------------------

struct SignalRequest {                // "signal"
  std::string to;                     // peer id
  std::string kind;                   // "offer", "connection_request", "app:…" (never a daemon's own "relay:…")
  std::string session;                // at most kMaxSessionBytes; empty when not given
  boost::json::object payload;        // {} when not given
  std::chrono::milliseconds ttl{0};   // 0: the default
};
struct SessionUpdate {                // "session"
  std::string peer;
  std::string state;  // "connecting", "established", "closed" (another word is ignored)
};
struct GetPeers {};                   // "get_peers"
struct IceServersRequest {            // "ice_servers"
  std::string peer;
};
struct FileOpen {                     // "file_open"
  std::string peer;                   // the sending peer's id
  std::string tid;
  std::uint32_t index = 0;            // "i"
  std::string path;
  std::uint64_t size = 0;
};
struct FileFinish {                   // "file_finish"
  std::uint32_t handle = 0;
  std::uint64_t size = 0;
  std::string sha256;
};
struct FileCancel {                   // "file_cancel"
  std::string peer;
  std::string tid;
};

using UiRequest = std::variant<SignalRequest, SessionUpdate, GetPeers, IceServersRequest, FileOpen, FileFinish,
                               FileCancel>;

// A message from a tab: what it asks, and its `ref` (any JSON value, echoed in the answer) if it gave one.
struct IncomingMessage {
  UiRequest request;
  std::optional<boost::json::value> ref;
};

// ---- Daemon to UI -------------------------------------------------------

struct SelfInfo {
  std::string id;
  std::string name;
  std::string version;
  std::uint16_t port = 0;
  std::uint16_t discovery_port = 0;
};
struct Welcome {                      // "welcome"
  SelfInfo self;
  boost::json::value settings;        // as GET /api/settings
};
struct PeerList {                     // "peers"
  boost::json::array peers;           // as GET /api/peers
};
struct SettingsPush {                 // "settings"
  boost::json::value settings;
};
struct RelayState {                   // "relay"
  boost::json::object relay;          // the relay's health, {"enabled":false,"state":"off"} when off
};
struct FileList {                     // "files"
  boost::json::value files;           // as GET /api/files
};
struct SignalAck {                    // "ack": a signal was queued
  std::optional<boost::json::value> ref;
  std::uint64_t seq = 0;
  std::string to;
  bool peer_online = false;
};
struct Delivered {                    // "delivered": the peer's daemon has it
  std::optional<boost::json::value> ref;
};
struct Expired {                      // "expired": its TTL ran out undelivered
  std::optional<boost::json::value> ref;  // absent for a message sent before a restart
  std::string to;
  std::string error;
};
struct PeerSignal {                   // "signal": from a peer's UI
  std::string from;
  std::string kind;
  std::string session;
  boost::json::value payload;
  std::uint64_t seq = 0;
};
struct SessionTaken {                 // "session_taken"
  std::string peer;
  std::string session;
};
struct IceServers {                   // "ice_servers": the answer
  std::string peer;
  boost::json::array servers;         // RTCIceServer objects
  std::optional<boost::json::value> ref;
};
struct FileOpened {                   // "file_opened"
  std::optional<boost::json::value> ref;
  std::string tid;
  std::uint32_t index = 0;
  std::uint32_t handle = 0;
  std::uint64_t offset = 0;
  std::string name;
  bool complete = false;
};
struct FileFinished {                 // "file_finished"
  std::optional<boost::json::value> ref;
  std::string tid;
  std::uint32_t index = 0;
  bool ok = false;
  std::string name;                   // if ok
  std::string code;                   // if not
  std::string error;                  // if not
};
struct FileProgress {                 // "file_progress"
  std::string peer;
  std::string tid;
  std::uint32_t index = 0;
  std::uint64_t received = 0;
  std::uint64_t durable = 0;
};
struct MessagePush {                  // "message": a message of a conversation was added or changed state
  boost::json::object message;        // as GET /api/messages lists it
};
struct UnreadCounts {                 // "unread_messages": on connect and whenever they change
  boost::json::object unread;         // peer id -> unread incoming messages (peers with none left out)
};
struct ErrorMessage {                 // "error"
  std::string code;
  std::string error;
  std::optional<boost::json::value> ref;
  std::optional<std::uint32_t> handle;  // for a file frame or file_finish
};

}  // namespace peerdrop::ui
