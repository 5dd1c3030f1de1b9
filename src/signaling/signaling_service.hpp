#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/result.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "signaling/signal_endpoint.hpp"
#include "core/clock.hpp"
#include "core/logging.hpp"
#include "discovery/announcement_signer.hpp"
#include "discovery/discovery_service.hpp"
#include "signaling/inbox_state.hpp"
#include "signaling/outbox.hpp"
#include "signaling/signal_client.hpp"
#include "signaling/signaling_config.hpp"

namespace peerdrop::signaling {

struct IncomingSignal {
  std::string from;     // peer id
  std::string type;     // "offer", "ice_candidate", …
  std::string payload;  // JSON object text
  std::uint64_t sequence = 0;
};

// Carries the UI's messages to other daemons, exactly once and in order,
// whenever at least one direction between the two daemons works:
//  - every message waits in the persisted Outbox until the peer acknowledges
//    it or its TTL runs out;
//  - a per-peer sender pushes batches (POST /api/signal) with backoff and
//    jitter; when pushes fail it says so (flag, UDP nudge, health answer), and
//    the peer, which can reach us, fetches them with a long-poll;
//  - the receiving side delivers by sequence (InboxState) and acknowledges.
// Everything is keyed by peer id, never by IP.
class SignalingService final : public SignalEndpoint {
 public:
  struct Callbacks {
    std::function<void(const IncomingSignal&)> deliver;                       // to the UI
    std::function<void(std::uint64_t tag)> delivered;                          // the peer daemon has it
    std::function<void(std::uint64_t tag, const std::string& peer)> expired;   // its TTL ran out undelivered
    std::function<void(const std::string& claimed_id)> key_changed;            // refused: that peer's key changed
    // A message of the daemons' own (is_daemon_type: `relay:…`), for this
    // daemon, never the UI; its expiry is not reported to `expired`.
    std::function<void(const IncomingSignal&)> daemon_message;
  };

  SignalingService(boost::asio::any_io_executor executor, const SignalingConfig& config, const core::Clock& clock,
                   discovery::AnnouncementSigner& signer, discovery::DiscoveryService& discovery, Outbox& outbox,
                   InboxState& inbox, Callbacks callbacks, core::Logger logger);

  void start();
  void stop();

  // Queues a message for a peer; errors: unknown peer (Errc::unknown_peer), queue_full, too_large.
  boost::system::result<OutboxEntry> send(const std::string& peer_id, std::string type, std::string payload,
                                          std::chrono::milliseconds ttl, std::uint64_t tag);
  // The UI is still connecting to this peer: keep a long-poll at it for a while.
  void keep_polling(const std::string& peer_id);
  // The peer holds messages for us (its health answer or a UDP nudge said so).
  void peer_is_waiting(const std::string& peer_id);
  // Whether we hold messages for this peer (told in our health answer).
  bool waiting_for(const std::string& peer_id) const;

  // SignalEndpoint: POST /api/signal from another daemon.
  boost::asio::awaitable<SignalExchangeReply> exchange(const SignalExchangeRequest& request) override;

 private:
  struct Link {
    std::unique_ptr<boost::asio::steady_timer> wake;  // the sender loop waits on it
    std::unique_ptr<boost::asio::steady_timer> held;  // held long-polls from this peer wait on it
    bool sending = false;
    bool polling = false;
    bool push_failing = false;
    std::size_t held_polls = 0;
    core::Clock::TimePoint poll_until{};
    std::uint64_t hello_instance = 0;
    std::uint32_t hello_counter = 0;
  };

  Link& link(const std::string& peer_id);
  void start_sender(const std::string& peer_id);
  void start_poller(const std::string& peer_id);
  void want_poll(const std::string& peer_id);
  boost::asio::awaitable<void> sender(std::string peer_id);
  boost::asio::awaitable<void> poller(std::string peer_id);
  boost::asio::awaitable<void> purger();
  // Our queued messages for a peer as framed, signed envelopes.
  std::vector<std::uint8_t> outgoing_frames(const discovery::PeerInfo& peer);
  void acknowledged(const std::string& peer_id, std::uint64_t up_to);
  // Delivers what a peer sent; returns false if the body was malformed.
  bool receive(std::span<const std::uint8_t> body, const std::string& from);
  void handle_response(const std::string& peer_id, const ExchangeResponse& response);
  // Tries the peer's addresses in order; the first answer (or a rate limit) ends it.
  boost::asio::awaitable<boost::system::result<ExchangeResponse>> exchange_with(const discovery::PeerInfo& peer,
                                                                                const ExchangeRequest& request);
  std::chrono::milliseconds jittered(std::chrono::milliseconds base) const;

  boost::asio::any_io_executor executor_;
  const SignalingConfig& config_;
  const core::Clock& clock_;
  discovery::AnnouncementSigner& signer_;
  discovery::DiscoveryService& discovery_;
  Outbox& outbox_;
  InboxState& inbox_;
  core::Logger logger_;
  SignalClient client_;
  boost::asio::steady_timer purge_timer_;
  std::map<std::string, Link> links_;
  Callbacks callbacks_;
  bool stopped_ = false;
};

}  // namespace peerdrop::signaling
