#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "discovery/peer_directory.hpp"
#include "discovery/peer_store.hpp"
#include "core/clock.hpp"
#include "core/logging.hpp"
#include "discovery/announcement_signer.hpp"
#include "discovery/discovery_config.hpp"
#include "discovery/health_client.hpp"
#include "discovery/peer_table.hpp"
#include "discovery/subnet_scanner.hpp"
#include "discovery/udp_discovery.hpp"
#include "net/ipv4_subnet.hpp"
#include "net/network_interfaces.hpp"

namespace peerdrop::discovery {

// Finds other daemons by every means (UDP, HTTP scan, manual, persisted,
// inbound), keeps the peer table current and persisted, and answers the
// HTTP API's questions about peers.
class DiscoveryService final : public PeerDirectory {
 public:
  // What discovery tells, or asks, the rest of the daemon (on the io thread).
  struct Hooks {
    std::function<void()> peers_changed;  // the peer list changed
    // Signaling: does a peer have messages waiting with us (told in our
    // health answer), and a peer told us it holds messages for us.
    std::function<bool(const std::string& id)> waiting_for;
    std::function<void(const std::string& id)> peer_waiting;
  };

  DiscoveryService(boost::asio::any_io_executor executor, const DiscoveryConfig& config, std::uint16_t scan_port,
                   const core::Clock& clock, AnnouncementSigner& signer, PeerStore& store, Hooks hooks,
                   core::Logger logger);

  std::uint16_t open();  // binds UDP; returns the discovery port (StartupError)
  void start(const std::vector<net::InterfaceAddress>& all_interfaces);
  void interfaces_changed(const std::vector<net::InterfaceAddress>& all_interfaces);
  void stop();  // says goodbye, closes sockets, stops loops
  std::optional<PeerInfo> find_peer(const std::string& id) const { return table_.find(id); }
  // STUN servers a browser here should use to reach `peer_id`: this daemon on
  // the addresses that face the peer (the same subnet; else every address),
  // then the peer's own daemon. "ip:port" each.
  std::vector<std::string> stun_servers_for(const std::string& peer_id) const;
  // Tells a peer by UDP that we hold messages for it and cannot push them.
  void nudge(const std::string& id);
  // A new display name: announced at once (a new burst); peers we reach only
  // over HTTP see it in our next health answer or probe.
  void set_name(const std::string& name);
  // Whether this daemon's TURN relay runs: the announcement flag
  // Announcement::kFlagRelay; a change is announced at once (a new burst),
  // and peers we reach only over HTTP see it in our next health answer or probe.
  void set_relay_offered(bool offered);
  // A UI here established a connection with the peer: remembers when (now),
  // persists it and tells the peers-changed callback. False if unknown.
  bool record_connection(const std::string& id);

  // discovery::PeerDirectory
  discovery::HealthInfo health(const std::string& prober_id) override;
  void hello(const Announcement& announcement, const std::string& ip) override;
  std::vector<PeerInfo> peers() const override;
  boost::asio::awaitable<AddPeerResult> add_manual_peer(std::string address) override;
  bool forget_peer(const std::string& id) override;
  ScanStatus start_scan() override;
  ScanStatus scan_status() const override { return scan_status_; }

 private:
  void handle_udp(const Announcement& a, const boost::asio::ip::udp::endpoint& from);
  void accept(const Announcement& a, const std::string& ip, PeerSource source);
  void persist(const std::string& id);
  boost::asio::awaitable<void> startup();
  boost::asio::awaitable<void> maintenance();
  boost::asio::awaitable<void> run_scan(bool include_interface_subnets, bool claimed);
  boost::asio::awaitable<void> probe_known_and_manual(bool only_quiet);
  std::vector<boost::asio::ip::tcp::endpoint> manual_endpoints() const;
  std::vector<net::Ipv4Subnet> subnets_to_scan(bool include_interface_subnets) const;

  boost::asio::any_io_executor executor_;
  const DiscoveryConfig& config_;
  std::uint16_t scan_port_;
  const core::Clock& clock_;
  AnnouncementSigner& signer_;
  PeerStore& store_;
  Hooks hooks_;
  core::Logger logger_;
  PeerTable table_;
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
  ScanStatus scan_status_;
  std::map<std::string, core::Clock::TimePoint> last_nudge_;
  bool scanning_ = false;
  bool probing_ = false;
  bool stopped_ = false;
};

}  // namespace peerdrop::discovery
