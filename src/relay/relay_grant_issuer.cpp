#include "relay/relay_grant_issuer.hpp"

#include <fmt/chrono.h>
#include <sodium.h>

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

RelayGrantIssuer::RelayGrantIssuer(const core::Clock& clock, FindPeer find_peer, IssueRelay issue_relay, Send send,
                                   core::Logger logger, Limits limits)
    : find_peer_(std::move(find_peer)),
      issue_relay_(std::move(issue_relay)),
      send_(std::move(send)),
      logger_(std::move(logger)),
      limiter_(clock, core::RateLimiter::Limits{
                          .rate = limits.per_minute / 60.0, .burst = limits.burst, .max_clients = limits.max_peers}) {}

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
  auto relay = issue_relay_(from);
  if (!relay) {
    logger_->info("told \"{}\" ({}…) that this daemon's TURN relay is not running", peer->name, short_id(from));
    send_(from, encode_relay_grant(RelayGrant{.refusal = "off"}));
    return;
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
  send_(from, encode_relay_grant(RelayGrant{.urls = std::move(relay->urls),
                                            .username = relay->credential.username,
                                            .sealed = std::move(*sealed),
                                            .expires_ms = expires_s * 1000}));
  logger_->info("gave relay credentials to \"{}\" ({}…) valid until {}", peer->name, short_id(from),
                utc_time(expires_s));
}

}  // namespace peerdrop::relay
