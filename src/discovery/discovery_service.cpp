#include "discovery/discovery_service.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/base64.hpp"
#include "core/errc.hpp"
#include "core/startup_error.hpp"
#include "discovery/peer_endpoints.hpp"
#include "identity/peer_id.hpp"
#include "net/host_port.hpp"

namespace peerdrop::discovery {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

using identity::short_id;

const char* source_word(PeerSource source) {
  switch (source) {
    case PeerSource::broadcast: return "broadcast";
    case PeerSource::scan: return "subnet scan";
    case PeerSource::manual: return "manual address";
    case PeerSource::inbound: return "its own channel to us";
    case PeerSource::persisted: return "remembered address";
    case PeerSource::none: break;
  }
  return "liveness check";
}

// Resolves "host:port" (an IP literal at once, a name through DNS).
asio::awaitable<std::vector<tcp::endpoint>> resolve(asio::any_io_executor executor, const net::HostPort& hp) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(hp.host, ec);
  if (!ec) co_return std::vector<tcp::endpoint>{tcp::endpoint(address, hp.port)};
  tcp::resolver resolver(executor);
  auto [resolve_ec, results] =
      co_await resolver.async_resolve(hp.host, std::to_string(hp.port), asio::as_tuple(asio::use_awaitable));
  std::vector<tcp::endpoint> out;
  if (!resolve_ec) {
    for (const auto& entry : results) out.push_back(entry.endpoint());
  }
  co_return out;
}

// A health answer's packet with what the answer says of its relay: the
// "relay" object of the JSON counts like the packet's flag.
Announcement with_relay(const HealthAnswer& answer) {
  auto a = answer.announcement;
  if (answer.relay) a.flags |= Announcement::kFlagRelay;
  return a;
}

}  // namespace

DiscoveryService::DiscoveryService(asio::any_io_executor executor, const DiscoveryConfig& config,
                                   std::uint16_t scan_port, const core::Clock& clock, AnnouncementSigner& signer,
                                   PeerStore& store, channel::ChannelHub& channels, Hooks hooks, core::Logger logger)
    : executor_(executor),
      config_(config),
      scan_port_(scan_port),
      clock_(clock),
      signer_(signer),
      store_(store),
      channels_(channels),
      hooks_(std::move(hooks)),
      logger_(std::move(logger)),
      table_(clock, signer.identity().public_key(), signer.instance(),
             PeerTable::Limits{
                 .offline_after = std::chrono::milliseconds(static_cast<std::int64_t>(
                     static_cast<double>(config.announce_interval.count()) * config.offline_after_intervals)),
                 .max_peers = config.max_peers,
             }),
      schedule_(clock, ConnectSchedule::Config{.first_retry = config.first_connect_retry,
                                               .max_retry = std::max(config.first_connect_retry,
                                                                     config.announce_interval),
                                               .max_candidate_tries = config.max_candidate_tries}),
      new_peers_(clock, core::RateLimiter::Limits{.rate = config.new_peers_per_minute / 60.0,
                                                  .burst = config.new_peers_per_minute}),
      stun_gate_(clock, StunGate::Limits{.rate = config.stun_rate_per_second, .burst = config.stun_burst},
                 [this](std::uint32_t address) {
                   // A verified peer's proven address, or where its channel comes from.
                   const auto ip = net::Ipv4Subnet::format_address(address);
                   for (const auto& peer : table_.snapshot()) {
                     if (!peer.verified) continue;
                     for (const auto& a : peer.addresses) {
                       if (a.ip == ip) return true;
                     }
                     const auto remote = channels_.remote_of(peer.id);
                     if (remote && remote->address().to_string() == ip) return true;
                   }
                   return false;
                 }),
      udp_(executor, config, signer,
           [this](const asio::ip::udp::endpoint& from) {
             return from.address().is_v4() && stun_gate_.allow(from.address().to_v4().to_uint());
           },
           logger_),
      health_client_(executor),
      scanner_(executor, health_client_),
      startup_timer_(executor),
      maintenance_timer_(executor) {
  for (const auto& cidr : config_.scan_subnets) {
    const auto subnet = net::Ipv4Subnet::parse(cidr);
    if (!subnet) throw core::StartupError("--scan " + cidr + " is not an IPv4 subnet like 198.51.100.0/24");
    if (subnet->host_count() > config_.scan_max_hosts) {
      throw core::StartupError("--scan " + cidr + " has " + std::to_string(subnet->host_count()) +
                               " addresses, more than the limit of " + std::to_string(config_.scan_max_hosts) +
                               "; split it into smaller subnets");
    }
    if (config_.loopback && (subnet->network() >> 24) != 127) {
      throw core::StartupError("--scan " + cidr + " is not a loopback subnet; --loopback keeps all traffic on 127.0.0.0/8");
    }
    extra_subnets_.push_back(*subnet);
  }
  for (const auto& text : config_.manual_peers) {
    const auto hp = net::HostPort::parse(text, scan_port_);
    if (!hp) throw core::StartupError("--peer " + text + " is not HOST:PORT");
    manual_addresses_.insert(hp->to_string());
  }
  if (auto addresses = store_.load_manual_addresses()) {
    manual_addresses_.insert(addresses->begin(), addresses->end());
  } else {
    logger_->warn("could not read the remembered manual addresses: {}", addresses.error().message());
  }
  if (auto peers = store_.load_peers()) {
    for (auto& peer : *peers) table_.restore(std::move(peer));
  } else {
    logger_->warn("could not read the remembered peers: {}", peers.error().message());
  }
}

std::uint16_t DiscoveryService::open() {
  const auto port = udp_.open();
  signer_.set_ports(signer_.http_port(), port);
  return port;
}

void DiscoveryService::start(const std::vector<net::InterfaceAddress>& all_interfaces) {
  interfaces_ = net::select_interfaces(all_interfaces, config_.interfaces, config_.loopback);
  if (interfaces_.empty()) {
    logger_->warn("no usable network interface for discovery{}; waiting for one to come up",
                  config_.interfaces.empty() ? "" : " among the ones given with --interface");
  }
  for (const auto& iface : interfaces_) {
    logger_->info("discovery on {} ({})", iface.name, iface.subnet.to_string());
  }
  if (config_.interfaces.empty() && !config_.loopback) {
    std::set<std::string> skipped;
    for (const auto& iface : all_interfaces) {
      if (!iface.loopback && net::is_virtual_link(iface)) skipped.insert(iface.name);
    }
    if (!skipped.empty()) {
      logger_->info("not on {}: container, virtual machine or VPN links (name them with --interface to use them)",
                    fmt::join(skipped, ", "));
    }
  }
  udp_.set_interfaces(interfaces_);
  update_stun_subnets();
  udp_.start([this](const Announcement& a, const asio::ip::udp::endpoint& from) { handle_udp(a, from); });
  logger_->info("known peers from previous runs: {}, manual addresses: {}", table_.size(), manual_addresses_.size());
  connect_due();  // remembered peers first: they are the likeliest to answer
  asio::co_spawn(executor_, startup(), core::log_exceptions(logger_, "discovery start-up"));
  asio::co_spawn(executor_, maintenance(), core::log_exceptions(logger_, "discovery maintenance"));
}

void DiscoveryService::interfaces_changed(const std::vector<net::InterfaceAddress>& all_interfaces) {
  auto selected = net::select_interfaces(all_interfaces, config_.interfaces, config_.loopback);
  if (selected == interfaces_) return;
  interfaces_ = std::move(selected);
  udp_.set_interfaces(interfaces_);
  update_stun_subnets();
  udp_.announce_burst();
}

void DiscoveryService::stop() {
  if (stopped_) return;
  stopped_ = true;
  std::vector<asio::ip::udp::endpoint> goodbye_to;
  for (const auto& peer : table_.snapshot()) {
    if (!peer.online || peer.addresses.empty() || peer.discovery_port == 0) continue;
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(peer.addresses.front().ip, ec);
    if (!ec && address.is_v4()) goodbye_to.emplace_back(address, peer.discovery_port);
  }
  udp_.send_goodbye(goodbye_to);
  udp_.stop();
  scanner_.stop();
  health_client_.stop();
  startup_timer_.cancel();
  maintenance_timer_.cancel();
}

void DiscoveryService::handle_udp(const Announcement& a, const asio::ip::udp::endpoint& from) {
  if (stopped_) return;
  const auto ip = from.address().to_string();
  if (!config_.loopback && !config_.interfaces.empty()) {
    // With --interface, only listen to the subnets of the chosen interfaces.
    const bool ours = from.address().is_v4() && std::any_of(interfaces_.begin(), interfaces_.end(), [&](const auto& i) {
                        return i.subnet.contains(from.address().to_v4().to_uint());
                      });
    if (!ours) return;
  }
  accept(a, ip, PeerSource::broadcast);
}

bool DiscoveryService::accept(const Announcement& a, const std::string& ip, PeerSource source) {
  const auto id = identity::derive_peer_id(a.public_key);
  // A new identity costs a token of its source address: fresh keys cost nothing to make.
  if (a.public_key != signer_.identity().public_key() && !table_.find(id) && !new_peers_.allow(ip)) {
    ++refused_;
    const auto now = clock_.now();
    if (last_refusal_log_ == core::Clock::TimePoint{} || now - last_refusal_log_ > 60s) {
      last_refusal_log_ = now;
      logger_->warn("ignoring new peers from {}: more than {} new identities a minute ({} refused so far)", ip,
                    config_.new_peers_per_minute, refused_);
    }
    return false;
  }
  const auto result = table_.observe(a, ip, source);
  if (result.error) {
    if (result.error == core::Errc::duplicate_identity) {
      const auto now = clock_.now();
      if (last_duplicate_warning_ == core::Clock::TimePoint{} || now - last_duplicate_warning_ > 60s) {
        last_duplicate_warning_ = now;
        logger_->error(
            "another daemon at {} uses this daemon's identity {}: was the data dir copied? Give each machine its own "
            "--data-dir (delete identity.key in the copy to give it a new identity)",
            ip, id);
      }
    } else if (result.error == core::Errc::table_full) {
      ++refused_;
      logger_->warn("ignored peer {} at {}: the peer table is full ({} peers, none of them unverified)",
                    short_id(id), ip, table_.size());
    } else if (result.error != core::Errc::own_packet && result.error != core::Errc::duplicate) {
      logger_->debug("ignored a packet from {} claiming {}: {}", ip, short_id(id), result.error.message());
    }
    return false;
  }
  if (!result.evicted.empty()) {
    ++evicted_;
    schedule_.forget(result.evicted);
    logger_->info("the peer table is full ({}): made room by dropping unverified peer {}", table_.size(),
                  short_id(result.evicted));
  }
  const auto peer = table_.find(id);
  if (result.new_peer) {
    logger_->info("heard of peer \"{}\" ({}) at {}:{} by {}{}", a.name, short_id(id), ip, a.http_port,
                  source_word(source), peer && peer->outdated ? ": it runs an older PeerDrop (update it)" : "");
  } else if (result.went_offline) {
    logger_->info("peer \"{}\" ({}) said goodbye: offline", a.name, short_id(id));
  } else if (result.came_online) {
    logger_->info("peer \"{}\" ({}) is online at {}:{} (by {})", a.name, short_id(id), ip, a.http_port,
                  source_word(source));
  }
  if (result.relay_changed && !result.went_offline) {
    logger_->info("peer \"{}\" ({}) {} its TURN relay", a.name, short_id(id),
                  a.offers_relay() ? "offers" : "no longer offers");
  }
  if (result.changed || result.came_online || result.went_offline) persist(id);
  if (result.new_instance || result.came_online || result.new_candidate) schedule_.hurry(id);
  if (result.changed || result.came_online || result.went_offline || result.relay_changed || result.new_peer) {
    changed();
  }
  if (result.new_candidate || (result.came_online && peer && !peer->channel)) connect_due();

  // A daemon that just started learns about us at once, by unicast.
  if (a.kind == AnnouncementKind::announce && result.new_instance && source == PeerSource::broadcast) {
    const auto now = clock_.now();
    auto& last = last_reply_[id];
    if (last == core::Clock::TimePoint{} || now - last >= 1s) {
      last = now;
      boost::system::error_code ec;
      const auto address = asio::ip::make_address(ip, ec);
      if (!ec) udp_.send(AnnouncementKind::reply, asio::ip::udp::endpoint(address, a.discovery_port));
    }
  }
  return true;
}

void DiscoveryService::persist(const std::string& id) {
  const auto peer = table_.find(id);
  // Only a peer whose key a handshake proved is remembered: a flood of announced identities never reaches the disk.
  if (!peer || !peer->verified) return;
  if (const auto ec = store_.save_peer(*peer)) {
    logger_->warn("could not remember peer {} in the database: {}", short_id(id), ec.message());
  }
}

void DiscoveryService::changed() const {
  if (hooks_.peers_changed) hooks_.peers_changed();
}

void DiscoveryService::channel_up(const std::string& id, const channel::DaemonChannel& channel) {
  if (stopped_) return;
  say_hello(id);
  const auto result = table_.channel_changed(id, true);  // nothing if it is not in the table yet: its hello adds it
  schedule_.forget(id);  // no standing channel to reopen
  if (result.changed) persist(id);
  if (result.came_online || result.changed) changed();
  logger_->debug("channel with peer {} is up ({})", short_id(id),
                 channel.direction() == channel::DaemonChannel::Direction::inbound ? "it opened it" : "we opened it");
}

void DiscoveryService::channel_down(const std::string& id) {
  table_.channel_changed(id, false);
  schedule_.hurry(id);
  if (!stopped_) {
    changed();
    connect_due();
  }
}

void DiscoveryService::hello(const std::string& id, std::span<const std::uint8_t> packet,
                             const std::string& remote_ip, bool inbound) {
  const auto announcement = decode_announcement(packet);
  // The channel proved the key: a hello signed by another key, or not a probe, is not this peer's word.
  if (!announcement || announcement->kind != AnnouncementKind::probe ||
      identity::derive_peer_id(announcement->public_key) != id) {
    logger_->debug("ignored a hello from peer {}: {}", short_id(id),
                   announcement ? "not its own probe packet" : announcement.error().message());
    return;
  }
  // Its channel's source address is a candidate: the one it opened may come from an address we can reach.
  if (!accept(*announcement, remote_ip, inbound ? PeerSource::inbound : PeerSource::none)) return;
  const auto result = table_.channel_changed(id, true);  // a hello comes only on a live channel
  if (result.changed) persist(id);
  if (result.came_online || result.changed) changed();
}

void DiscoveryService::say_hello(const std::string& id) {
  const auto packet = signer_.make(AnnouncementKind::probe);
  channels_.send(id, channel::FrameType::hello, packet);
}

void DiscoveryService::want_channel(const std::string& id) {
  if (stopped_ || channels_.connected(id)) return;
  schedule_.hurry(id);
  connect_due();
}

asio::awaitable<void> DiscoveryService::startup() {
  const auto started = clock_.now();
  asio::co_spawn(executor_, probe_manual(), core::log_exceptions(logger_, "probing manual addresses"));
  if (!extra_subnets_.empty()) co_await run_scan(false, false);
  if (stopped_) co_return;
  const auto elapsed = clock_.now() - started;
  if (elapsed < config_.first_scan_delay) {
    startup_timer_.expires_after(config_.first_scan_delay - elapsed);
    co_await startup_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (stopped_) co_return;
  }
  if (config_.scan_enabled && table_.online_count() == 0) {
    logger_->info("no peer answered within {} ms; scanning the local subnets", config_.first_scan_delay.count());
    co_await run_scan(true, false);
  }
  while (!stopped_ && !extra_subnets_.empty()) {
    startup_timer_.expires_after(config_.scan_interval);
    auto [ec] = co_await startup_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || stopped_) co_return;
    co_await run_scan(false, false);
  }
}

asio::awaitable<void> DiscoveryService::maintenance() {
  constexpr auto kTick = 250ms;
  auto next_probe = clock_.now() + config_.manual_probe_interval;
  while (!stopped_) {
    maintenance_timer_.expires_after(kTick);
    auto [ec] = co_await maintenance_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || stopped_) co_return;
    const auto expired = table_.expire();
    if (!expired.empty()) changed();
    for (const auto& id : expired) {
      const auto peer = table_.find(id);
      logger_->info("peer \"{}\" ({}) went offline: not heard for {} s", peer ? peer->name : "", short_id(id),
                    static_cast<double>(config_.announce_interval.count()) * config_.offline_after_intervals / 1000);
    }
    connect_due();
    if (clock_.now() >= next_probe && !probing_) {
      // Manual addresses whose daemon is not connected: asked again every manual_probe_interval.
      next_probe = clock_.now() + config_.manual_probe_interval;
      probing_ = true;
      asio::co_spawn(executor_, probe_manual(), [this](std::exception_ptr e) {
        probing_ = false;
        core::log_exceptions(logger_, "probing manual addresses")(e);
      });
    }
  }
}

void DiscoveryService::connect_due() {
  if (stopped_) return;
  std::vector<ConnectSchedule::Target> wanted;
  for (const auto& peer : table_.snapshot()) {
    if (peer.outdated) continue;  // it cannot speak version 2: never downgraded to
    for (const auto& address : peer.candidates) wanted.push_back({peer.id, address, true});
    if (peer.verified && !peer.channel) {
      for (const auto& address : peer.addresses) wanted.push_back({peer.id, address, false});
    }
  }
  const auto room = config_.max_connects > schedule_.under_way() ? config_.max_connects - schedule_.under_way() : 0;
  for (auto& target : schedule_.due(wanted, room)) {
    asio::co_spawn(executor_, connect(std::move(target)), core::log_exceptions(logger_, "daemon channel connect"));
  }
}

asio::awaitable<void> DiscoveryService::connect(ConnectSchedule::Target target) {
  boost::system::error_code parse_ec;
  const auto address = asio::ip::make_address(target.address.ip, parse_ec);
  const auto ec = parse_ec ? parse_ec : co_await channels_.connect(tcp::endpoint(address, target.address.port), target.id);
  if (stopped_) co_return;
  if (!ec) {
    schedule_.succeeded(target);
    if (table_.proven(target.id, target.address)) {
      logger_->info("proved peer {} at {}", short_id(target.id), target.address.to_string());
      persist(target.id);
      changed();
    }
    co_return;
  }
  logger_->debug("no channel with peer {} at {}: {}", short_id(target.id), target.address.to_string(), ec.message());
  if (schedule_.failed(target) && target.candidate) {
    logger_->info("gave up on address {} for peer {}: no handshake proved its key there ({} tries)",
                  target.address.to_string(), short_id(target.id), config_.max_candidate_tries);
    if (table_.drop_candidate(target.id, target.address)) {
      logger_->info("forgot unverified peer {}: none of its addresses proved its key", short_id(target.id));
      schedule_.forget(target.id);
    }
    changed();
  }
}

std::vector<tcp::endpoint> DiscoveryService::manual_endpoints() const {
  std::vector<tcp::endpoint> out;
  for (const auto& text : manual_addresses_) {
    const auto hp = net::HostPort::parse(text, scan_port_);
    boost::system::error_code ec;
    const auto address = hp ? asio::ip::make_address(hp->host, ec) : asio::ip::address();
    if (hp && !ec) out.emplace_back(address, hp->port);
  }
  return out;
}

asio::awaitable<void> DiscoveryService::probe_manual() {
  // A manual address whose daemon already has a channel here needs no probe.
  std::set<tcp::endpoint> connected;
  for (const auto& peer : table_.snapshot()) {
    if (!peer.channel) continue;
    for (const auto& address : peer.addresses) {
      boost::system::error_code ec;
      const auto ip = asio::ip::make_address(address.ip, ec);
      if (!ec) connected.emplace(ip, address.port);
    }
  }
  std::vector<tcp::endpoint> targets;
  for (const auto& ep : manual_endpoints()) {
    if (!connected.count(ep)) targets.push_back(ep);
  }
  if (targets.empty()) co_return;
  SubnetScanner::Options options{.concurrency = config_.scan_concurrency,
                                 .connect_timeout = config_.probe_timeout,
                                 .total_timeout = config_.probe_timeout};
  co_await scanner_.scan(std::move(targets), options, [&](const HealthAnswer& answer) {
    if (accept(with_relay(answer), answer.ip, PeerSource::manual)) {
      const auto id = identity::derive_peer_id(answer.announcement.public_key);
      if (table_.add_source(id, PeerSource::manual)) persist(id);
    }
  });
}
std::vector<net::Ipv4Subnet> DiscoveryService::subnets() const {
  std::vector<net::Ipv4Subnet> out(extra_subnets_);
  for (const auto& iface : interfaces_) out.push_back(iface.subnet);
  return out;
}

void DiscoveryService::update_stun_subnets() { stun_gate_.set_subnets(subnets()); }

std::vector<net::Ipv4Subnet> DiscoveryService::subnets_to_scan(bool include_interface_subnets) const {
  std::vector<net::Ipv4Subnet> out;
  if (include_interface_subnets && config_.scan_enabled && !config_.loopback) {
    for (const auto& iface : interfaces_) {
      const auto subnet = iface.subnet.capped(config_.scan_min_prefix, iface.address);
      if (subnet.prefix() < 31 && std::find(out.begin(), out.end(), subnet) == out.end()) out.push_back(subnet);
    }
  }
  for (const auto& subnet : extra_subnets_) {
    if (std::find(out.begin(), out.end(), subnet) == out.end()) out.push_back(subnet);
  }
  return out;
}

asio::awaitable<void> DiscoveryService::run_scan(bool include_interface_subnets, bool claimed) {
  if ((scanning_ && !claimed) || stopped_) {
    if (claimed) scanning_ = false;
    co_return;
  }
  scanning_ = true;
  const auto subnets = subnets_to_scan(include_interface_subnets);
  std::vector<tcp::endpoint> targets;
  std::set<std::uint32_t> own;
  for (const auto& iface : interfaces_) own.insert(iface.address);
  // Known peers' last addresses first, then every host of every subnet.
  for (const auto& peer : table_.snapshot()) {
    for (const auto& ep : tcp_endpoints(peer)) targets.push_back(ep);
  }
  std::set<tcp::endpoint> seen(targets.begin(), targets.end());
  for (const auto& subnet : subnets) {
    for (const auto host : subnet.hosts()) {
      if (own.count(host)) continue;
      const tcp::endpoint ep(asio::ip::address_v4(host), scan_port_);
      if (seen.insert(ep).second) targets.push_back(ep);
    }
  }
  scan_status_ = ScanStatus{.running = true, .started_at_ms = clock_.unix_ms()};
  for (const auto& s : subnets) scan_status_.subnets.push_back(s.to_string());
  const auto started = clock_.now();
  logger_->info("scanning {} addresses ({}) for peers", targets.size(),
                scan_status_.subnets.empty() ? std::string("known peers only") : fmt::format("{}", fmt::join(scan_status_.subnets, ", ")));
  SubnetScanner::Options options{.concurrency = config_.scan_concurrency,
                                 .connect_timeout = config_.scan_connect_timeout,
                                 .total_timeout = config_.probe_timeout};
  const auto report = co_await scanner_.scan(std::move(targets), options, [this](const HealthAnswer& answer) {
    accept(with_relay(answer), answer.ip, PeerSource::scan);
  });
  scanning_ = false;
  scan_status_.running = false;
  scan_status_.probed = report.probed;
  scan_status_.found = report.found;
  scan_status_.duration_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now() - started).count();
  logger_->info("scan finished in {} ms: {} addresses probed, {} daemons answered", scan_status_.duration_ms,
                report.probed, report.found);
}

HealthInfo DiscoveryService::health() {
  const auto peers = table_.snapshot();
  return HealthInfo{
      .id = signer_.identity().peer_id(),
      .name = signer_.name(),
      .port = signer_.http_port(),
      .discovery_port = signer_.discovery_port(),
      .announcement_base64 = core::base64_encode(signer_.make(AnnouncementKind::reply)),
      .peers = PeerTableStats{
          .size = peers.size(),
          .max = table_.max_size(),
          .verified = static_cast<std::size_t>(
              std::count_if(peers.begin(), peers.end(), [](const PeerInfo& p) { return p.verified; })),
          .channels = channels_.connected_peers().size(),
          .refused = refused_,
          .evicted = evicted_},
  };
}

std::vector<std::string> DiscoveryService::stun_servers_for(const std::string& peer_id) const {
  std::vector<std::string> out;
  const auto own_port = std::to_string(signer_.discovery_port());
  const auto peer = table_.find(peer_id);
  // Where the peer is: its proven address, else where its channel comes from.
  std::string peer_ip;
  if (peer && !peer->addresses.empty()) {
    peer_ip = peer->addresses.front().ip;
  } else if (const auto remote = channels_.remote_of(peer_id)) {
    peer_ip = remote->address().to_string();
  }
  const auto parsed = net::Ipv4Subnet::parse_address(peer_ip);
  for (const auto& iface : interfaces_) {
    if (parsed && iface.subnet.contains(*parsed)) {
      out.push_back(net::Ipv4Subnet::format_address(iface.address) + ":" + own_port);
    }
  }
  if (out.empty()) {
    for (const auto& iface : interfaces_) out.push_back(net::Ipv4Subnet::format_address(iface.address) + ":" + own_port);
  }
  if (peer && !peer_ip.empty() && peer->discovery_port != 0) {
    out.push_back(peer_ip + ":" + std::to_string(peer->discovery_port));
  }
  return out;
}

void DiscoveryService::set_name(const std::string& name) {
  if (name == signer_.name()) return;
  signer_.set_name(name);
  logger_->info("this daemon is now called \"{}\"; announcing it", signer_.name());
  if (stopped_) return;
  udp_.announce_burst();
  for (const auto& id : channels_.connected_peers()) say_hello(id);
}

void DiscoveryService::set_relay_offered(bool offered) {
  if (offered == signer_.relay_offered()) return;
  signer_.set_relay_offered(offered);
  logger_->info("{} this daemon's TURN relay to peers", offered ? "offering" : "no longer offering");
  if (stopped_) return;
  udp_.announce_burst();
  for (const auto& id : channels_.connected_peers()) say_hello(id);
}

bool DiscoveryService::record_connection(const std::string& id) {
  if (!table_.set_last_connected(id, clock_.unix_ms())) return false;
  persist(id);
  changed();
  return true;
}

std::vector<PeerInfo> DiscoveryService::peers() const { return table_.snapshot(); }

asio::awaitable<AddPeerResult> DiscoveryService::add_manual_peer(std::string address) {
  const auto hp = net::HostPort::parse(address, scan_port_);
  if (!hp) {
    co_return AddPeerResult{.code = "bad_request",
                            .message = "\"" + address.substr(0, 100) + "\" is not an address like 198.51.100.7:3001"};
  }
  const auto endpoints = co_await resolve(executor_, *hp);
  if (endpoints.empty()) {
    co_return AddPeerResult{.code = "peer_unreachable",
                            .message = "the name " + hp->host + " could not be resolved; check it or use an IP address"};
  }
  for (const auto& ep : endpoints) {
    auto answer = co_await health_client_.probe(ep, config_.manual_probe_timeout, config_.manual_probe_timeout);
    if (!answer) continue;
    if (answer->announcement.public_key == signer_.identity().public_key()) {
      co_return AddPeerResult{.code = "bad_request", .message = hp->to_string() + " is this daemon itself"};
    }
    const auto id = identity::derive_peer_id(answer->announcement.public_key);
    if (answer->announcement.version < Announcement::kVersion) {
      co_return AddPeerResult{.code = "peer_unreachable",
                              .message = hp->to_string() + " runs an older PeerDrop; update it there first"};
    }
    // Its answer says who it claims to be; a handshake there proves it.
    const PeerAddress proven_at{ep.address().to_string(), answer->announcement.http_port};
    const auto ec = co_await channels_.connect(tcp::endpoint(ep.address(), proven_at.port), id);
    if (ec) {
      co_return AddPeerResult{.code = "peer_unreachable",
                              .message = "the daemon at " + hp->to_string() +
                                         " could not prove its identity over an encrypted connection (" +
                                         ec.message() + "); is it really a PeerDrop?"};
    }
    manual_addresses_.insert(hp->to_string());
    if (const auto store_ec = store_.add_manual_address(hp->to_string())) {
      logger_->warn("could not remember manual address {}: {}", hp->to_string(), store_ec.message());
    }
    accept(with_relay(*answer), answer->ip, PeerSource::manual);
    table_.add_source(id, PeerSource::manual);
    table_.proven(id, proven_at);
    table_.channel_changed(id, channels_.connected(id));
    persist(id);
    changed();
    co_return AddPeerResult{.peer = table_.find(id)};
  }
  co_return AddPeerResult{
      .code = "peer_unreachable",
      .message = "no PeerDrop daemon answered at " + hp->to_string() +
                 "; check that PeerDrop runs there, the address and port are right, and no firewall blocks TCP " +
                 std::to_string(hp->port)};
}

bool DiscoveryService::forget_peer(const std::string& id) {
  const auto peer = table_.find(id);
  if (!peer) return false;
  table_.forget(id);
  schedule_.forget(id);
  auto ec = store_.forget_peer(id);
  for (const auto& address : peer->addresses) {
    const auto text = address.to_string();
    if (manual_addresses_.erase(text) && !ec) ec = store_.remove_manual_address(text);
  }
  if (ec) logger_->warn("could not forget peer {} in the database: {}", short_id(id), ec.message());
  logger_->info("forgot peer \"{}\" ({})", peer->name, short_id(id));
  changed();
  return true;
}

ScanStatus DiscoveryService::start_scan() {
  auto status = scan_status_;
  if (!scanning_) {
    scanning_ = true;  // claimed now, so a second request does not start a second scan
    asio::co_spawn(executor_, run_scan(true, true), core::log_exceptions(logger_, "scan"));
  }
  status.running = true;
  return status;
}

}  // namespace peerdrop::discovery
