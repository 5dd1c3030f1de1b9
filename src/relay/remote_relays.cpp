#include "relay/remote_relays.hpp"

#include <sodium.h>

#include <algorithm>
#include <map>
#include <set>

#include "net/host_port.hpp"
#include "identity/peer_id.hpp"
#include "relay/relay_grant.hpp"

namespace peerdrop::relay {
namespace {

using identity::short_id;

using namespace std::chrono_literals;

// Credentials are at most a week long (TurnCredentials::kMaxTtl); this bounds
// what a peer's expiry can make us compute with the steady clock.
constexpr std::chrono::milliseconds kMaxLifetime = std::chrono::hours(8 * 24);

// The host of "turn:HOST:PORT?transport=…" (brackets of an IPv6 address removed).
std::string url_host(std::string_view url) {
  const auto colon = url.find(':');
  if (colon == std::string_view::npos) return {};
  auto rest = url.substr(colon + 1);
  rest = rest.substr(0, rest.find('?'));
  const auto parsed = net::HostPort::parse(rest, 3478);
  return parsed ? parsed->host : std::string();
}

// A TURN password goes into JSON for a page: printable ASCII only (base64 of an HMAC in practice).
bool is_printable(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

// What a refusal (RelayGrant::refusal) means, for the log.
std::string_view refusal_meaning(std::string_view refusal) {
  if (refusal == "off") return " (it is not running)";
  if (refusal == "not_trusted") return " (it serves only peers its user has connected to or trusts)";
  if (refusal == "full") return " (as many peers as it serves at once hold credentials already)";
  return "";
}

}  // namespace

RemoteRelays::RemoteRelays(const core::Clock& clock, core::Alarm& alarm, const identity::Identity& identity,
                           Send send, Changed changed, core::Logger logger, Config config)
    : clock_(clock),
      alarm_(alarm),
      identity_(identity),
      send_(std::move(send)),
      changed_(std::move(changed)),
      logger_(std::move(logger)),
      config_(config) {}

std::vector<const discovery::PeerInfo*> RemoteRelays::to_follow(const std::vector<discovery::PeerInfo>& peers) const {
  std::vector<const discovery::PeerInfo*> offering;
  for (const auto& peer : peers) {
    if (peer.online && peer.relay && peer.verified && !peer.addresses.empty()) offering.push_back(&peer);
  }
  // Those a UI here connected to, most recent first; then those followed
  // already (a newcomer does not push them out); then by id.
  std::sort(offering.begin(), offering.end(), [this](const auto* a, const auto* b) {
    if (a->last_connected_ms != b->last_connected_ms) return a->last_connected_ms > b->last_connected_ms;
    const bool a_followed = peers_.count(a->id) > 0;
    const bool b_followed = peers_.count(b->id) > 0;
    if (a_followed != b_followed) return a_followed;
    return a->id < b->id;
  });
  std::vector<const discovery::PeerInfo*> out;
  std::map<std::string, std::size_t> per_address;
  for (const auto* peer : offering) {
    if (out.size() >= config_.max_peers) break;
    auto& count = per_address[peer->addresses.front().ip];
    if (count >= config_.max_per_address) continue;
    ++count;
    out.push_back(peer);
  }
  return out;
}

void RemoteRelays::update(const std::vector<discovery::PeerInfo>& peers) {
  if (stopped_) return;
  const auto now = clock_.now();
  bool changed = false;
  std::set<std::string> followed;
  for (const auto* peer : to_follow(peers)) {
    auto [it, inserted] = peers_.try_emplace(peer->id);
    auto& tracked = it->second;
    tracked.name = peer->name;
    tracked.ips.clear();
    for (const auto& address : peer->addresses) tracked.ips.push_back(address.ip);
    if (inserted) {
      tracked.wait = config_.answer_timeout;
      tracked.next = now;  // ask at once
      logger_->info("asking \"{}\" ({}…) for credentials for its TURN relay", peer->name, short_id(peer->id));
    }
    followed.insert(peer->id);
  }
  for (auto it = peers_.begin(); it != peers_.end();) {
    if (followed.count(it->first)) {
      ++it;
      continue;
    }
    if (it->second.grant) {
      const auto peer = std::find_if(peers.begin(), peers.end(), [&](const auto& p) { return p.id == it->first; });
      drop_grant(it->first, it->second,
                 peer == peers.end() ? "it was forgotten"
                 : !peer->online     ? "it went offline"
                 : !peer->relay      ? "it no longer offers its relay"
                                     : "more peers offer relays than this daemon follows, and others come first");
      changed = true;
    }
    it = peers_.erase(it);
  }
  run();
  if (changed && changed_) changed_();
}

void RemoteRelays::on_grant(const std::string& from, std::string_view payload) {
  const auto it = peers_.find(from);
  if (stopped_ || it == peers_.end()) {
    logger_->debug("ignored relay credentials from {}…: not a peer that offers a relay", short_id(from));
    return;
  }
  auto& peer = it->second;
  const auto now = clock_.now();
  const auto now_ms = clock_.unix_ms();
  const bool was_ready = peer.grant && usable(*peer.grant, now);
  auto fail = [&](const std::string& why) {
    logger_->warn("refused relay credentials from \"{}\" ({}…): {}", peer.name, short_id(from), why);
    back_off(peer, now);
    run();
  };

  const auto grant = parse_relay_grant(payload);
  if (!grant) return fail("the answer is malformed (" + grant.error().message() + ")");
  if (grant->refused()) {
    logger_->info("\"{}\" ({}…) gives no credentials for its TURN relay: \"{}\"{}", peer.name, short_id(from),
                  grant->refusal, refusal_meaning(grant->refusal));
    if (peer.grant) drop_grant(from, peer, "its relay is off");
    back_off(peer, now);
    run();
    if (was_ready && changed_) changed_();
    return;
  }
  if (grant->username != std::to_string(grant->expires_ms / 1000) + ":" + identity_.peer_id()) {
    return fail("they were not issued to this daemon");
  }
  const auto lifetime = std::chrono::milliseconds(grant->expires_ms - now_ms);
  if (lifetime < config_.min_lifetime) return fail("they expire too soon (are both clocks right?)");
  auto opened = identity_.open_sealed(grant->sealed);
  if (!opened) return fail("they do not open with this daemon's key");
  std::string credential(opened->begin(), opened->end());
  sodium_memzero(opened->data(), opened->size());
  if (!is_printable(credential)) return fail("the password is not printable text");

  auto urls = kept_urls(peer, grant->urls);
  if (urls.empty()) return fail("none of its URLs is at an address the peer proved to hold");

  const auto kept = std::min(lifetime, std::chrono::duration_cast<std::chrono::milliseconds>(kMaxLifetime));
  Held held{.relay = Relay{.peer_id = from,
                           .urls = std::move(urls),
                           .username = grant->username,
                           .credential = std::move(credential),
                           .expires_ms = grant->expires_ms},
            .refresh_at = now + kept / 2,
            .expires_at = now + kept};
  logger_->info("got credentials for the TURN relay of \"{}\" ({}…), valid for {:.1f} h: {}", peer.name,
                short_id(from), std::chrono::duration<double, std::ratio<3600>>(lifetime).count(),
                fmt::join(held.relay.urls, ", "));
  peer.grant = std::move(held);
  peer.asking = false;
  peer.wait = config_.answer_timeout;
  peer.next = peer.grant->refresh_at;
  run();
  if (!was_ready && changed_) changed_();
}

void RemoteRelays::stop() {
  stopped_ = true;
  alarm_.cancel();
}

bool RemoteRelays::ready(const std::string& peer_id) const {
  const auto it = peers_.find(peer_id);
  return it != peers_.end() && it->second.grant && usable(*it->second.grant, clock_.now());
}

std::optional<RemoteRelays::Relay> RemoteRelays::relay_for(const std::string& peer_id) const {
  const auto it = peers_.find(peer_id);
  if (it == peers_.end() || !it->second.grant || !usable(*it->second.grant, clock_.now())) return std::nullopt;
  return it->second.grant->relay;
}

void RemoteRelays::ask(const std::string& id, Tracked& peer, core::Clock::TimePoint now) {
  peer.asking = true;
  peer.next = now + peer.wait;
  // Not queued (the outbox is full, the peer was forgotten): the same as no answer.
  if (!send_(id)) logger_->debug("could not queue a relay credentials request for {}…", short_id(id));
}

void RemoteRelays::back_off(Tracked& peer, core::Clock::TimePoint now) {
  peer.asking = false;
  peer.next = now + peer.wait;
  peer.wait = std::min(peer.wait * 2, config_.max_wait);
}

void RemoteRelays::run() {
  if (stopped_) return;
  const auto now = clock_.now();
  bool changed = false;
  std::optional<core::Clock::TimePoint> wake;
  for (auto& [id, peer] : peers_) {
    if (peer.grant && !usable(*peer.grant, now)) {
      drop_grant(id, peer, "they expired");
      changed = true;
    }
    if (peer.asking && now >= peer.next) {
      // No answer in time: ask again, and wait longer for this one.
      logger_->debug("no relay credentials from {}… within {} s; asking again", short_id(id),
                     std::chrono::duration_cast<std::chrono::seconds>(peer.wait).count());
      peer.wait = std::min(peer.wait * 2, config_.max_wait);
      ask(id, peer, now);
    } else if (!peer.asking && now >= peer.next) {
      ask(id, peer, now);
    }
    wake = wake ? std::min(*wake, peer.next) : peer.next;
    if (peer.grant) wake = std::min(*wake, peer.grant->expires_at);
  }
  if (wake) {
    alarm_.set(*wake, [this] { run(); });
  } else {
    alarm_.cancel();
  }
  if (changed && changed_) changed_();
}

void RemoteRelays::drop_grant(const std::string& id, Tracked& peer, const char* why) {
  logger_->info("dropped the credentials for the TURN relay of \"{}\" ({}…): {}", peer.name, short_id(id), why);
  peer.grant.reset();
}

std::vector<std::string> RemoteRelays::kept_urls(const Tracked& peer, const std::vector<std::string>& urls) const {
  // Only the relay's addresses that the peer proved to hold: a grant cannot
  // send the browser anywhere else.
  std::vector<std::string> out;
  for (const auto& url : urls) {
    if (std::find(peer.ips.begin(), peer.ips.end(), url_host(url)) != peer.ips.end()) out.push_back(url);
  }
  return out;
}

}  // namespace peerdrop::relay
