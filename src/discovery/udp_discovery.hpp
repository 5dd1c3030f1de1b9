#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <set>
#include <vector>

#include "core/logging.hpp"
#include "discovery/announcement.hpp"
#include "discovery/announcement_signer.hpp"
#include "discovery/discovery_config.hpp"
#include "net/network_interfaces.hpp"

namespace peerdrop::discovery {

// The UDP side of discovery: one socket, announcements to every selected
// interface's directed broadcast address and multicast group (or to the
// loopback port range), and verified packets handed to the owner. The same
// socket answers STUN Binding requests, so browsers get server-reflexive
// candidates from their own daemon.
class UdpDiscovery {
 public:
  using PacketHandler = std::function<void(const Announcement&, const boost::asio::ip::udp::endpoint&)>;
  // Whether to answer a STUN Binding request from this source (StunGate).
  using StunFilter = std::function<bool(const boost::asio::ip::udp::endpoint&)>;

  UdpDiscovery(boost::asio::any_io_executor executor, const DiscoveryConfig& config, AnnouncementSigner& signer,
               StunFilter stun_filter, core::Logger logger);

  // Binds the socket and returns its port. Throws core::StartupError.
  std::uint16_t open();
  void start(PacketHandler on_packet);
  void stop();

  void set_interfaces(const std::vector<net::InterfaceAddress>& interfaces);
  void announce_burst();  // 0, 100 ms, 500 ms, 2 s, then the periodic interval
  void send(AnnouncementKind kind, const boost::asio::ip::udp::endpoint& to);
  void send_goodbye(const std::vector<boost::asio::ip::udp::endpoint>& also_to);

 private:
  boost::asio::awaitable<void> receive_loop();
  boost::asio::awaitable<void> announce_loop();
  // STUN Binding requests share the discovery port (told apart by the magic cookie).
  void answer_stun(std::span<const std::uint8_t> packet, const boost::asio::ip::udp::endpoint& sender);
  void send_to_all(const std::vector<std::uint8_t>& packet);
  void send_packet(const std::vector<std::uint8_t>& packet, const boost::asio::ip::udp::endpoint& to);
  std::chrono::milliseconds jittered_interval() const;

  boost::asio::any_io_executor executor_;
  const DiscoveryConfig& config_;
  AnnouncementSigner& signer_;
  StunFilter stun_filter_;
  core::Logger logger_;
  boost::asio::ip::udp::socket socket_;
  boost::asio::steady_timer timer_;
  boost::asio::ip::address_v4 group_;
  std::vector<net::InterfaceAddress> interfaces_;
  std::set<std::uint32_t> joined_;
  PacketHandler on_packet_;
  bool burst_requested_ = false;
  bool stopped_ = false;
};

}  // namespace peerdrop::discovery
