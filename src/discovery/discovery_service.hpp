#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "channel/channel_hub.hpp"
#include "core/clock.hpp"
#include "core/logging.hpp"
#include "core/rate_limiter.hpp"
#include "discovery/announcement_signer.hpp"
#include "discovery/connect_schedule.hpp"
#include "discovery/discovery_config.hpp"
#include "discovery/health_client.hpp"
#include "discovery/peer_directory.hpp"
#include "discovery/peer_store.hpp"
#include "discovery/peer_table.hpp"
#include "discovery/stun_gate.hpp"
#include "discovery/subnet_scanner.hpp"
#include "discovery/udp_discovery.hpp"
#include "net/ipv4_subnet.hpp"
#include "net/network_interfaces.hpp"

namespace peerdrop::discovery {

// Finds other daemons by every means (UDP, HTTP scan, manual, persisted,
// their own channels to us), proves each address by a daemon-channel
// handshake before it counts (ConnectSchedule), keeps a standing channel to
// every verified peer it can reach, keeps the peer table current and
// persists the verified peers, and answers the HTTP API's questions about peers.
class DiscoveryService final : public PeerDirectory {
 public:
  struct Hooks {
    std::function<void()> peers_changed;  // the peer list changed (on the io thread)
  };

  DiscoveryService(boost::asio::any_io_executor executor, const DiscoveryConfig& config, std::uint16_t scan_port,
                   const core::Clock& clock, AnnouncementSigner& signer, PeerStore& store,
                   channel::ChannelHub& channels, Hooks hooks, core::Logger logger);

  std::uint16_t open();  // binds UDP; returns the discovery port (StartupError)
  void start(const std::vector<net::InterfaceAddress>& all_interfaces);
  void interfaces_changed(const std::vector<net::InterfaceAddress>& all_interfaces);
  void stop();  // says goodbye, closes sockets, stops loops

  // The channel hub's events: a peer's channel is up (this daemon says
  // hello on it) or down, and the peer's hello on it (a signed announcement
  // packet), with where the channel comes from and who opened it.
  void channel_up(const std::string& id, const channel::DaemonChannel& channel);
  void channel_down(const std::string& id);
  void hello(const std::string& id, std::span<const std::uint8_t> packet, const std::string& remote_ip, bool inbound);
  // Something here wants a channel to the peer soon (a tab is connecting to it).
  void want_channel(const std::string& id);

  std::optional<PeerInfo> find_peer(const std::string& id) const { return table_.find(id); }
  // The interfaces it works on (net::select_interfaces: no container, VM or
  // VPN link unless named with --interface), and the subnets it discovers
  // on: theirs and --scan's. The STUN responder answers, and the TURN relay
  // reaches, these subnets only.
  const std::vector<net::InterfaceAddress>& interfaces() const { return interfaces_; }
  std::vector<net::Ipv4Subnet> subnets() const;
  // STUN servers a browser here should use to reach `peer_id`: this daemon on
  // the addresses that face the peer (the same subnet; else every address),
  // then the peer's own daemon. "ip:port" each.
  std::vector<std::string> stun_servers_for(const std::string& peer_id) const;
  // A new display name: announced at once (a new burst); peers we reach only
  // over a channel see it in our next hello.
  void set_name(const std::string& name);
  // Whether this daemon's TURN relay runs: the announcement flag
  // Announcement::kFlagRelay; a change is announced at once (a new burst and
  // a hello on every channel).
  void set_relay_offered(bool offered);
  // A UI here established a connection with the peer: remembers when (now),
  // persists it and tells the peers-changed callback. False if unknown.
  bool record_connection(const std::string& id);

  // PeerDirectory
  HealthInfo health() override;
  std::vector<PeerInfo> peers() const override;
  boost::asio::awaitable<AddPeerResult> add_manual_peer(std::string address) override;
  bool forget_peer(const std::string& id) override;
  ScanStatus start_scan() override;
  ScanStatus scan_status() const override { return scan_status_; }

 private:
  void handle_udp(const Announcement& a, const boost::asio::ip::udp::endpoint& from);
  // A signed packet from `ip`: false if it was refused.
  bool accept(const Announcement& a, const std::string& ip, PeerSource source);
  void persist(const std::string& id);
  void changed() const;
  void say_hello(const std::string& id);
  boost::asio::awaitable<void> startup();
  boost::asio::awaitable<void> maintenance();
  // Starts the handshakes that are due (candidates to prove, standing channels to reopen).
  void connect_due();
  boost::asio::awaitable<void> connect(ConnectSchedule::Target target);
  boost::asio::awaitable<void> probe_manual();
  boost::asio::awaitable<void> run_scan(bool include_interface_subnets, bool claimed);
  std::vector<boost::asio::ip::tcp::endpoint> manual_endpoints() const;
  std::vector<net::Ipv4Subnet> subnets_to_scan(bool include_interface_subnets) const;
  void update_stun_subnets();

  boost::asio::any_io_executor executor_;
  const DiscoveryConfig& config_;
  std::uint16_t scan_port_;
  const core::Clock& clock_;
  AnnouncementSigner& signer_;
  PeerStore& store_;
  channel::ChannelHub& channels_;
  Hooks hooks_;
  core::Logger logger_;
  PeerTable table_;
  ConnectSchedule schedule_;
  core::RateLimiter new_peers_;  // new identities per source address
  StunGate stun_gate_;
  UdpDiscovery udp_;
  HealthClient health_client_;
  SubnetScanner scanner_;
  boost::asio::steady_timer startup_timer_;
  boost::asio::steady_timer maintenance_timer_;
  std::vector<net::InterfaceAddress> interfaces_;
  std::vector<net::Ipv4Subnet> extra_subnets_;   // --scan
  std::set<std::string> manual_addresses_;       // "host:port", from --peer and POST /api/peers
  std::map<std::string, core::Clock::TimePoint> last_reply_;
  core::Clock::TimePoint last_duplicate_warning_{};
  core::Clock::TimePoint last_refusal_log_{};
  ScanStatus scan_status_;
  std::uint64_t refused_ = 0;
  std::uint64_t evicted_ = 0;
  bool scanning_ = false;
  bool probing_ = false;
  bool stopped_ = false;
};

}  // namespace peerdrop::discovery
