#include "relay/relay_grant_issuer.hpp"

#include <fmt/chrono.h>
#include <sodium.h>

#include <algorithm>
#include <ctime>
#include <span>

#include "identity/identity.hpp"
#include "identity/peer_id.hpp"
#include "relay/relay_grant.hpp"

namespace peerdrop::relay {
namespace {

using identity::short_id;

std::string utc_time(std::int64_t unix_s) {
  const auto t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  return fmt::format("{:%Y-%m-%d %H:%M:%S} UTC", tm);
}

}  // namespace

RelayGrantIssuer::RelayGrantIssuer(const core::Clock& clock, RelayGrantStore& store, FindPeer find_peer,
                                   Trusted trusted, IssueRelay issue_relay, Send send, core::Logger logger,
                                   Limits limits)
    : clock_(clock),
      store_(store),
      find_peer_(std::move(find_peer)),
      trusted_(std::move(trusted)),
      issue_relay_(std::move(issue_relay)),
      send_(std::move(send)),
      logger_(std::move(logger)),
      limits_(limits),
      limiter_(clock, core::RateLimiter::Limits{
                          .rate = limits.per_minute / 60.0, .burst = limits.burst, .max_clients = limits.max_peers}),
      holders_(store_.load(clock_.unix_ms() / 1000)) {}

void RelayGrantIssuer::on_request(const std::string& from) {
  const auto peer = find_peer_(from);
  if (!peer) {
    logger_->debug("ignored a relay credentials request from {}…: not a known peer", short_id(from));
    return;
  }
  if (!limiter_.allow(from)) {
    logger_->debug("ignored a relay credentials request from \"{}\" ({}…): it asks too often", peer->name,
                   short_id(from));
    return;
  }
  // Only peers whose key a handshake proved, and that the user here has
  // connected to or trusts: a fresh key on the LAN gets nothing.
  if (!peer->verified) {
    logger_->info("refused relay credentials to \"{}\" ({}…): its key was never proven by a handshake", peer->name,
                  short_id(from));
    return refuse(from, "not_trusted");
  }
  if (peer->last_connected_ms == 0 && !trusted_(from)) {
    logger_->info(
        "refused relay credentials to \"{}\" ({}…): this computer's user has never connected to it and does not "
        "trust it (it is not on the \"always accept\" list)",
        peer->name, short_id(from));
    return refuse(from, "not_trusted");
  }
  forget_expired();
  if (!holders_.count(from) && holders_.size() >= limits_.max_holders) {
    const auto first = std::min_element(holders_.begin(), holders_.end(),
                                        [](const auto& a, const auto& b) { return a.second < b.second; });
    logger_->warn(
        "refused relay credentials to \"{}\" ({}…): {} peers hold credentials for this relay already, the most at "
        "once; a place frees up at {}",
        peer->name, short_id(from), holders_.size(), utc_time(first->second));
    return refuse(from, "full");
  }
  auto relay = issue_relay_(from);
  if (!relay) {
    logger_->info("told \"{}\" ({}…) that this daemon's TURN relay is not running", peer->name, short_id(from));
    return refuse(from, "off");
  }
  auto& password = relay->credential.password;
  auto sealed = identity::Identity::seal_to(
      peer->public_key, std::span(reinterpret_cast<const std::uint8_t*>(password.data()), password.size()));
  sodium_memzero(password.data(), password.size());
  if (!sealed) {
    logger_->warn("cannot give relay credentials to \"{}\" ({}…): its key is not usable for encryption", peer->name,
                  short_id(from));
    return;
  }
  const auto expires_s = relay->credential.expires_unix_s;
  auto& held = holders_[from];
  held = std::max(held, expires_s);
  if (const auto ec = store_.save(from, expires_s)) {
    logger_->warn("could not store that \"{}\" ({}…) holds relay credentials ({}); after a restart it may not count",
                  peer->name, short_id(from), ec.message());
  }
  send_(from, encode_relay_grant(RelayGrant{.urls = std::move(relay->urls),
                                            .username = relay->credential.username,
                                            .sealed = std::move(*sealed),
                                            .expires_ms = expires_s * 1000}));
  logger_->info("gave relay credentials to \"{}\" ({}…) valid until {}", peer->name, short_id(from),
                utc_time(expires_s));
}

std::size_t RelayGrantIssuer::holders() {
  forget_expired();
  return holders_.size();
}

void RelayGrantIssuer::refuse(const std::string& to, std::string_view refusal) {
  send_(to, encode_relay_grant(RelayGrant{.refusal = std::string(refusal)}));
}

void RelayGrantIssuer::forget_expired() {
  const auto now_s = clock_.unix_ms() / 1000;
  std::erase_if(holders_, [&](const auto& holder) { return holder.second <= now_s; });
}

}  // namespace peerdrop::relay
