#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <span>
#include <string>

#include "channel/peer_channels.hpp"
#include "core/clock.hpp"
#include "core/logging.hpp"
#include "discovery/discovery_service.hpp"
#include "identity/identity.hpp"
#include "signaling/inbox_state.hpp"
#include "signaling/outbox.hpp"
#include "signaling/signaling_config.hpp"

namespace peerdrop::signaling {

struct IncomingSignal {
  std::string from;     // peer id
  std::string type;     // "offer", "ice_candidate", …
  std::string payload;  // JSON object text
  std::uint64_t sequence = 0;
};

// Carries the UI's messages to other daemons, exactly once and in order,
// over the daemons' authenticated channels (docs/protocol.md, "Daemon
// channel, version 2"), whichever daemon opened the channel:
//  - every message waits in the persisted Outbox until the peer acknowledges
//    it (an ack frame on the channel, never above what was sent) or its TTL
//    runs out;
//  - when a peer's channel is up, everything pending goes out at once, and
//    each new message as it is queued; a new channel sends everything
//    unacknowledged again (the receiver drops what it has);
//  - an envelope goes out only if the receiver can deliver it on arrival:
//    it follows the one sent before it on this channel, or nothing below it
//    is held any more (its floor is its own sequence). So after a hole (an
//    expired message) the rest waits for the acknowledgement that brings the
//    floor up to it: one round trip per hole, and never a gap at the receiver;
//  - the receiving side checks each envelope's sender against the channel's
//    proven peer before its signature, delivers by sequence (InboxState) and
//    acknowledges.
// Everything is keyed by peer id, never by IP.
class SignalingService {
 public:
  struct Callbacks {
    std::function<void(const IncomingSignal&)> deliver;                       // to the UI
    std::function<void(std::uint64_t tag)> delivered;                          // the peer daemon has it
    std::function<void(std::uint64_t tag, const std::string& peer)> expired;   // its TTL ran out undelivered
    // A message of the daemons' own (is_daemon_type: `relay:…`, `msg:…`), for
    // this daemon, never the UI; its expiry is reported to `expired` only if
    // it was queued with a tag other than 0.
    std::function<void(const IncomingSignal&)> daemon_message;
  };

  SignalingService(boost::asio::any_io_executor executor, const SignalingConfig& config, const core::Clock& clock,
                   const identity::Identity& identity, discovery::DiscoveryService& discovery,
                   channel::PeerChannels& channels, Outbox& outbox, InboxState& inbox, Callbacks callbacks,
                   core::Logger logger);

  void start();
  void stop();
  // Purges expired messages (telling their senders) and sends what waited
  // (a full channel queue, a hole that expired). The purge timer calls it
  // every purge_interval.
  void tick();

  // Queues a message for a verified peer and sends it at once if its channel
  // is up. Errors: unknown_peer, queue_full, too_large, io_error.
  boost::system::result<OutboxEntry> send(const std::string& peer_id, std::string type, std::string payload,
                                          std::chrono::milliseconds ttl, std::uint64_t tag);

  // The channel hub's events for signaling.
  void channel_up(const std::string& peer_id);
  void channel_down(const std::string& peer_id);
  void frame(const std::string& peer_id, channel::FrameType type, std::span<const std::uint8_t> payload);

 private:
  struct Link {
    std::uint64_t last_sent = 0;     // on the current channel (0: nothing yet); what went out is not sent again
    std::uint64_t highest_sent = 0;  // over every channel and earlier runs: an ack above it is not believed
  };

  // Sends, in order, what is pending, not yet sent on the peer's channel and
  // deliverable on arrival; stops at a hole.
  void flush(const std::string& peer_id);
  // Removes the expired messages from the outbox and tells whoever waits for them.
  void report_expired();
  void receive(const std::string& peer_id, std::span<const std::uint8_t> body);
  void acknowledged(const std::string& peer_id, std::uint64_t up_to);
  boost::asio::awaitable<void> purger();

  const SignalingConfig& config_;
  const core::Clock& clock_;
  const identity::Identity& identity_;
  discovery::DiscoveryService& discovery_;
  channel::PeerChannels& channels_;
  Outbox& outbox_;
  InboxState& inbox_;
  Callbacks callbacks_;
  core::Logger logger_;
  boost::asio::any_io_executor executor_;
  boost::asio::steady_timer purge_timer_;
  std::map<std::string, Link> links_;
  bool stopped_ = false;
};

}  // namespace peerdrop::signaling
