#include "discovery/udp_discovery.hpp"

#include <sodium.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/multicast.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/startup_error.hpp"
#include "stun/stun_message.hpp"

namespace peerdrop::discovery {

namespace asio = boost::asio;
using asio::ip::udp;

namespace {
// Gaps between the announcements of a burst: sent at 0, 100 ms, 500 ms and 2 s.
constexpr std::array<std::chrono::milliseconds, 3> kBurstGaps{std::chrono::milliseconds(100),
                                                              std::chrono::milliseconds(400),
                                                              std::chrono::milliseconds(1500)};
}  // namespace

UdpDiscovery::UdpDiscovery(asio::any_io_executor executor, const DiscoveryConfig& config,
                           AnnouncementSigner& signer, StunFilter stun_filter, core::Logger logger)
    : executor_(executor),
      config_(config),
      signer_(signer),
      stun_filter_(std::move(stun_filter)),
      logger_(std::move(logger)),
      socket_(executor),
      timer_(executor) {
  boost::system::error_code ec;
  group_ = asio::ip::make_address_v4(config_.multicast_group, ec);
  if (ec || !group_.is_multicast()) {
    throw core::StartupError("multicast group " + config_.multicast_group + " is not an IPv4 multicast address");
  }
}

std::uint16_t UdpDiscovery::open() {
  boost::system::error_code ec;
  socket_.open(udp::v4(), ec);
  if (ec) throw core::StartupError("cannot open the discovery UDP socket: " + ec.message());
  if (config_.loopback) {
    // Several daemons on one machine: take the first free port of the range.
    std::vector<std::uint16_t> candidates{config_.port};
    for (unsigned p = config_.loopback_first_port; p <= config_.loopback_last_port; ++p) {
      if (p != config_.port) candidates.push_back(static_cast<std::uint16_t>(p));
    }
    for (const auto port : candidates) {
      socket_.bind(udp::endpoint(asio::ip::address_v4::loopback(), port), ec);
      if (!ec) break;
    }
    if (ec) {
      throw core::StartupError("no free UDP port for loopback discovery in " +
                               std::to_string(config_.loopback_first_port) + "-" +
                               std::to_string(config_.loopback_last_port));
    }
  } else {
    socket_.bind(udp::endpoint(udp::v4(), config_.port), ec);
    if (ec) {
      throw core::StartupError("cannot listen for discovery on UDP port " + std::to_string(config_.port) + " (" +
                               ec.message() + "); is another peerdropd running? choose --discovery-port");
    }
    socket_.set_option(asio::socket_base::broadcast(true), ec);
    socket_.set_option(asio::ip::multicast::hops(1), ec);
    socket_.set_option(asio::ip::multicast::enable_loopback(true), ec);
  }
  socket_.non_blocking(true, ec);
  return socket_.local_endpoint().port();
}

void UdpDiscovery::start(PacketHandler on_packet) {
  on_packet_ = std::move(on_packet);
  asio::co_spawn(executor_, receive_loop(), core::log_exceptions(logger_, "discovery receiver"));
  asio::co_spawn(executor_, announce_loop(), core::log_exceptions(logger_, "discovery announcer"));
}

void UdpDiscovery::stop() {
  stopped_ = true;
  timer_.cancel();
  boost::system::error_code ignored;
  socket_.close(ignored);
}

void UdpDiscovery::set_interfaces(const std::vector<net::InterfaceAddress>& interfaces) {
  interfaces_ = interfaces;
  if (config_.loopback) return;
  for (const auto& iface : interfaces_) {
    if (!iface.multicast_capable || joined_.count(iface.address)) continue;
    boost::system::error_code ec;
    socket_.set_option(asio::ip::multicast::join_group(group_, asio::ip::address_v4(iface.address)), ec);
    if (ec) {
      logger_->warn("cannot join multicast group {} on {}: {}", group_.to_string(), iface.name, ec.message());
    } else {
      joined_.insert(iface.address);
    }
  }
}

void UdpDiscovery::announce_burst() {
  burst_requested_ = true;
  timer_.cancel();
}

void UdpDiscovery::send(AnnouncementKind kind, const udp::endpoint& to) { send_packet(signer_.make(kind), to); }

void UdpDiscovery::send_goodbye(const std::vector<udp::endpoint>& also_to) {
  if (!socket_.is_open()) return;
  const auto packet = signer_.make(AnnouncementKind::goodbye);
  send_to_all(packet);
  for (const auto& to : also_to) send_packet(packet, to);
}

asio::awaitable<void> UdpDiscovery::receive_loop() {
  // Larger than the packet limit, so an oversized datagram is seen as such.
  std::array<std::uint8_t, Announcement::kMaxPacketSize * 2> buffer{};
  udp::endpoint sender;
  while (!stopped_) {
    auto [ec, n] =
        co_await socket_.async_receive_from(asio::buffer(buffer), sender, asio::as_tuple(asio::use_awaitable));
    if (stopped_ || ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) co_return;
    if (ec) {
      logger_->debug("discovery receive failed: {}", ec.message());
      continue;
    }
    const std::span<const std::uint8_t> packet(buffer.data(), n);
    if (stun::StunMessage::looks_like_stun(packet)) {
      answer_stun(packet, sender);
      continue;
    }
    auto decoded = decode_announcement(packet);
    if (!decoded) {
      logger_->debug("ignored a {}{}-byte UDP packet from {}: {}", n == buffer.size() ? "more than " : "",
                     n == buffer.size() ? Announcement::kMaxPacketSize : n, sender.address().to_string(),
                     decoded.error().message());
      continue;
    }
    if (on_packet_) on_packet_(*decoded, sender);
  }
}

asio::awaitable<void> UdpDiscovery::announce_loop() {
  std::size_t burst_step = 0;
  while (!stopped_) {
    send_to_all(signer_.make(AnnouncementKind::announce));
    const auto delay = burst_step < kBurstGaps.size() ? kBurstGaps[burst_step++] : jittered_interval();
    timer_.expires_after(delay);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (burst_requested_) {
      burst_requested_ = false;
      burst_step = 0;
    }
  }
}

void UdpDiscovery::answer_stun(std::span<const std::uint8_t> packet, const udp::endpoint& sender) {
  const auto id = stun::StunMessage::parse_binding_request(packet);
  if (!id) {
    logger_->debug("ignored a STUN packet from {}: {}", sender.address().to_string(), id.error().message());
    return;
  }
  if (stun_filter_ && !stun_filter_(sender)) return;  // not from our networks, or too often
  const auto address = sender.address();
  std::vector<std::uint8_t> bytes;
  if (address.is_v4()) {
    const auto a = address.to_v4().to_bytes();
    bytes.assign(a.begin(), a.end());
  } else {
    const auto a = address.to_v6().to_bytes();
    bytes.assign(a.begin(), a.end());
  }
  send_packet(stun::StunMessage::binding_success(*id, bytes, sender.port()), sender);
}

void UdpDiscovery::send_to_all(const std::vector<std::uint8_t>& packet) {
  if (config_.loopback) {
    const auto own = socket_.local_endpoint().port();
    for (unsigned p = config_.loopback_first_port; p <= config_.loopback_last_port; ++p) {
      if (p != own) send_packet(packet, udp::endpoint(asio::ip::address_v4::loopback(), static_cast<std::uint16_t>(p)));
    }
    return;
  }
  for (const auto& iface : interfaces_) {
    if (iface.broadcast_capable) {
      send_packet(packet, udp::endpoint(asio::ip::address_v4(iface.subnet.broadcast()), config_.port));
    }
    if (iface.multicast_capable) {
      boost::system::error_code ec;
      socket_.set_option(asio::ip::multicast::outbound_interface(asio::ip::address_v4(iface.address)), ec);
      if (!ec) send_packet(packet, udp::endpoint(group_, config_.port));
    }
  }
}

void UdpDiscovery::send_packet(const std::vector<std::uint8_t>& packet, const udp::endpoint& to) {
  boost::system::error_code ec;
  socket_.send_to(asio::buffer(packet), to, 0, ec);
  if (ec && ec != asio::error::would_block) {
    logger_->debug("cannot send discovery packet to {}:{}: {}", to.address().to_string(), to.port(), ec.message());
  }
}

std::chrono::milliseconds UdpDiscovery::jittered_interval() const {
  const auto base = config_.announce_interval.count();
  const auto spread = std::max<std::int64_t>(1, base / 2);  // ±25%
  return std::chrono::milliseconds(base - base / 4 + randombytes_uniform(static_cast<std::uint32_t>(spread)));
}

}  // namespace peerdrop::discovery
