#pragma once

#include <string>

#include "ui/ui_messages.hpp"

namespace peerdrop::ui {

// The text of each message to a tab (docs/protocol.md, "The UI's WebSocket").
std::string serialize(const Welcome& message);
std::string serialize(const PeerList& message);
std::string serialize(const SettingsPush& message);
std::string serialize(const RelayState& message);
std::string serialize(const FileList& message);
std::string serialize(const SignalAck& message);
std::string serialize(const Delivered& message);
std::string serialize(const Expired& message);
std::string serialize(const PeerSignal& message);
std::string serialize(const SessionTaken& message);
std::string serialize(const IceServers& message);
std::string serialize(const FileOpened& message);
std::string serialize(const FileFinished& message);
std::string serialize(const FileProgress& message);
std::string serialize(const MessagePush& message);
std::string serialize(const UnreadCounts& message);
std::string serialize(const ErrorMessage& message);

}  // namespace peerdrop::ui
