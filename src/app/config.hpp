#pragma once

#include <filesystem>
#include <string>

#include "channel/channel_config.hpp"
#include "discovery/discovery_config.hpp"
#include "http/http_config.hpp"
#include "lane/lane_config.hpp"
#include "notify/notify_config.hpp"
#include "messages/messages_config.hpp"
#include "relay/relay_config.hpp"
#include "signaling/signaling_config.hpp"
#include "transfer/transfer_config.hpp"
#include "ui/ws_config.hpp"

namespace peerdrop::app {

// The whole configuration; each module receives only its own part.
struct Config {
  std::string name;                  // display name; default: the host name (a name in the stored settings wins)
  std::filesystem::path data_dir;    // default: $XDG_DATA_HOME/peerdrop or ~/.local/share/peerdrop
  std::string log_level = "info";
  http::HttpConfig http;
  discovery::DiscoveryConfig discovery;
  channel::ChannelConfig channel;
  ui::WsConfig ws;
  signaling::SignalingConfig signaling;
  transfer::TransferConfig transfer;
  lane::LaneConfig lane;
  notify::NotifyConfig notify;
  relay::RelayConfig relay;
  messages::MessagesConfig messages;
};

}  // namespace peerdrop::app
