#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "channel/channel_config.hpp"
#include "channel/daemon_channel.hpp"
#include "channel/identity_certificate.hpp"
#include "channel/peer_channels.hpp"
#include "channel/tls_contexts.hpp"
#include "core/clock.hpp"
#include "core/logging.hpp"
#include "identity/identity.hpp"

namespace peerdrop::channel {

// Every authenticated channel of this daemon, by peer id (docs/protocol.md,
// "Daemon channel, version 2"). Channels come from two sides: connect()
// opens one to an address and requires the key of the peer it expects there
// (so a handshake proves that address); accept() takes over a TCP connection
// whose first bytes were a TLS ClientHello and learns who it is. A peer has
// one active channel; when a second one comes up (both daemons connected at
// once, or an address was proven while a channel was up), the one opened by
// the daemon with the lower id is kept, on both sides alike, and the other
// closed. Frames to a peer go over its active channel.
class ChannelHub final : public DaemonChannel::Listener, public PeerChannels {
 public:
  struct Events {
    // The peer's active channel is a new one (its first, or a replacement).
    std::function<void(const std::string& peer, const DaemonChannel& channel)> up;
    std::function<void(const std::string& peer)> down;  // the peer has no channel any more
    // A frame from the peer (not ping or pong); `payload` is valid during the call only.
    std::function<void(const std::string& peer, FrameType type, std::span<const std::uint8_t> payload)> frame;
  };

  // Makes this daemon's certificate from `identity` (throws core::StartupError).
  ChannelHub(boost::asio::any_io_executor executor, const identity::Identity& identity, const core::Clock& clock,
             const ChannelConfig& config, Events events, core::Logger logger);
  ChannelHub(const ChannelHub&) = delete;
  ChannelHub& operator=(const ChannelHub&) = delete;

  // An inbound connection that starts with TLS; `already_read` are its first bytes.
  void accept(boost::asio::ip::tcp::socket socket, std::vector<std::uint8_t> already_read);
  // Connects to `endpoint` and completes a handshake in which the other side
  // proves `expected_id`. Empty on success (the channel is then registered,
  // or, being a duplicate, closed): the address is the peer's.
  boost::asio::awaitable<boost::system::error_code> connect(boost::asio::ip::tcp::endpoint endpoint,
                                                            std::string expected_id);

  // PeerChannels: sends on the peer's active channel; false if it has none or its queue is full.
  bool send(const std::string& peer, FrameType type, std::span<const std::uint8_t> payload) override;
  bool connected(const std::string& peer) const override { return active_.count(peer) > 0; }
  std::size_t queued_bytes(const std::string& peer) const override;
  // The peer's active channel, if it has one (valid until the next event).
  const DaemonChannel* active(const std::string& peer) const;
  // The address of the peer's active channel's other end.
  std::optional<boost::asio::ip::tcp::endpoint> remote_of(const std::string& peer) const;
  std::vector<std::string> connected_peers() const;
  std::size_t size() const { return channels_.size(); }
  // Closes every channel and handshake; later connects and accepts fail at once.
  void stop();

  // DaemonChannel::Listener
  void frame(DaemonChannel& channel, FrameType type, std::span<const std::uint8_t> payload) override;
  void closed(DaemonChannel& channel) override;

 private:
  boost::asio::awaitable<void> handshake_inbound(boost::asio::ip::tcp::socket socket,
                                                 std::vector<std::uint8_t> already_read, std::string ip);
  // Registers a channel whose handshake completed; decides which of the peer's channels stays active.
  void established(DaemonChannel::Stream stream, DaemonChannel::Direction direction, std::string peer_id,
                   boost::asio::ip::tcp::endpoint remote);
  // Whether `candidate` wins over the active channel `current` (the lower id's channel; else the older).
  bool preferred(const DaemonChannel& candidate, const DaemonChannel& current) const;

  boost::asio::any_io_executor executor_;
  const identity::Identity& identity_;
  const core::Clock& clock_;
  const ChannelConfig& config_;
  Events events_;
  core::Logger logger_;
  IdentityCertificate certificate_;
  TlsContexts tls_;
  std::map<std::uint64_t, std::shared_ptr<DaemonChannel>> channels_;  // by serial: every open channel
  std::map<std::string, std::shared_ptr<DaemonChannel>> active_;      // by peer id
  std::map<std::string, std::size_t> handshakes_;                     // inbound handshakes under way, by IP
  std::set<boost::asio::ip::tcp::socket*> pending_;                   // sockets still in a handshake
  std::uint64_t next_serial_ = 1;
  bool stopped_ = false;
};

}  // namespace peerdrop::channel
