#include "app/ui_bridge.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/peer_json.hpp"
#include "core/errc.hpp"
#include "relay/relay_service.hpp"
#include "relay/remote_relays.hpp"
#include "signaling/envelope.hpp"

namespace peerdrop::app {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxOwnedSessions = 4096;
constexpr std::size_t kMaxPendingOrigins = 100'000;
constexpr std::size_t kMaxSessionIdBytes = 64;
constexpr std::size_t kMaxRemoteRelays = 3;  // other daemons' relays in an ice_servers answer

std::string settings_message(const settings::Settings& settings) {
  return json::serialize(json::object{{"type", "settings"}, {"settings", settings::to_json(settings)}});
}

// {"type":"relay","relay":{"enabled":true,"state":"running",…}}; off: {…"relay":{"enabled":false,"state":"off"}}
std::string relay_message(const relay::RelayService* relay) {
  json::object health = relay ? relay->health_json() : json::object{{"enabled", false}, {"state", "off"}};
  return json::serialize(json::object{{"type", "relay"}, {"relay", std::move(health)}});
}

json::object turn_entry(std::vector<std::string> urls, const relay::TurnCredential& credential) {
  json::array list;
  for (auto& url : urls) list.emplace_back(std::move(url));
  return json::object{{"urls", std::move(list)}, {"username", credential.username}, {"credential", credential.password}};
}

const char* error_text(const boost::system::error_code& ec) {
  if (ec == core::Errc::unknown_peer) return "unknown_peer";
  if (ec == core::Errc::queue_full) return "queue_full";
  if (ec == core::Errc::too_large) return "too_large";
  return "internal";
}

std::string error_sentence(const boost::system::error_code& ec) {
  if (ec == core::Errc::unknown_peer) return "this peer is not known (any more); refresh the peer list";
  if (ec == core::Errc::queue_full) {
    return "too many messages are waiting for this peer; it may be offline or unreachable. Try again later";
  }
  if (ec == core::Errc::too_large) return "the message is too large";
  return "the message could not be queued: " + ec.message();
}

}  // namespace

UiBridge::UiBridge(ws::UiHub& hub, discovery::DiscoveryService& discovery, signaling::SignalingService& signaling,
                   const settings::SettingsService& settings, const relay::TurnCredentials& credentials,
                   const relay::RelayService* relay, core::Logger logger)
    : hub_(hub),
      discovery_(discovery),
      signaling_(signaling),
      settings_(settings),
      credentials_(credentials),
      relay_(relay),
      logger_(std::move(logger)) {}

void UiBridge::greet(std::uint64_t tab) {
  const auto health = discovery_.health("");
  hub_.send_to(tab, json::serialize(json::object{
                        {"type", "welcome"},
                        {"protocol", 1},
                        {"self", json::object{{"id", health.id},
                                              {"name", health.name},
                                              {"version", PEERDROP_VERSION},
                                              {"port", health.port},
                                              {"discoveryPort", health.discovery_port}}},
                        {"settings", settings::to_json(settings_.settings())},
                    }));
  hub_.send_to(tab, peers_message());
  hub_.send_to(tab, settings_message(settings_.settings()));
  hub_.send_to(tab, relay_message(relay_));  // also when off: the UI shows the switch's state
}

std::string UiBridge::peers_message() const {
  json::array list;
  for (const auto& peer : discovery_.peers()) {
    list.push_back(api::to_json(peer, remote_relays_ && remote_relays_->ready(peer.id)));
  }
  return json::serialize(json::object{{"type", "peers"}, {"peers", std::move(list)}});
}

void UiBridge::push_relay() {
  hub_.broadcast(relay_message(relay_));
}

void UiBridge::push_peers() {
  hub_.broadcast(peers_message());
}

void UiBridge::push_settings() {
  hub_.broadcast(settings_message(settings_.settings()));
}

void UiBridge::on_message(std::uint64_t tab, const json::object& message) {
  const auto* ref = message.if_contains("ref");
  const std::string_view type = message.at("type").get_string();
  if (type == "signal") {
    send_signal(tab, message, ref);
  } else if (type == "session") {
    on_session(tab, message, ref);
  } else if (type == "ice_servers") {
    answer_ice_servers(tab, message, ref);
  } else if (type == "get_peers") {
    hub_.send_to(tab, peers_message());
  } else {
    hub_.send_to(tab, ws::ui_error("unknown_type", "this daemon does not know the message type \"" +
                                                       std::string(type.substr(0, 40)) + "\"",
                                   ref));
  }
}

void UiBridge::on_session(std::uint64_t tab, const json::object& message, const json::value* ref) {
  // {"type":"session","peer":…,"state":"connecting"|"established"|"closed"}
  const auto* peer = message.if_contains("peer");
  const auto* state = message.if_contains("state");
  if (!peer || !peer->is_string() || !state || !state->is_string()) {
    hub_.send_to(tab, ws::ui_error("bad_request", "a session message needs \"peer\" and \"state\"", ref));
    return;
  }
  const std::string id(peer->get_string());
  if (state->get_string() == "connecting") {
    // Until a session is established, fetch from the peer in case it cannot reach us.
    signaling_.keep_polling(id);
  } else if (state->get_string() == "established") {
    // Connection history: the peer's lastConnected (persisted), pushed to every tab.
    discovery_.record_connection(id);
  }
}

void UiBridge::answer_ice_servers(std::uint64_t tab, const json::object& message, const json::value* ref) {
  // {"type":"ice_servers","peer":…} -> this daemon's and the peer daemon's STUN, then the user's servers
  const auto* peer = message.if_contains("peer");
  if (!peer || !peer->is_string()) {
    hub_.send_to(tab, ws::ui_error("bad_request", "ice_servers needs \"peer\"", ref));
    return;
  }
  json::array servers;
  for (const auto& address : discovery_.stun_servers_for(std::string(peer->get_string()))) {
    servers.push_back(json::object{{"urls", "stun:" + address}});
  }
  // Credentials are issued to this daemon's id: the browser that uses them is ours.
  const auto own_id = discovery_.health("").id;
  if (relay_) {
    if (auto relayed = relay_->ice_server(own_id)) servers.push_back(turn_entry(relayed->urls, relayed->credential));
  }
  // Other daemons' relays (credentials they granted this daemon): the peer's own first.
  if (remote_relays_) {
    for (const auto& remote : remote_relays_->relays_for(std::string(peer->get_string()), kMaxRemoteRelays)) {
      json::array urls;
      for (const auto& url : remote.urls) urls.emplace_back(url);
      servers.push_back(
          json::object{{"urls", std::move(urls)}, {"username", remote.username}, {"credential", remote.credential}});
    }
  }
  for (const auto& configured : settings_.settings().ice_servers) {
    if (configured.secret) {
      servers.push_back(turn_entry(configured.urls, credentials_.issue(*configured.secret, own_id)));
    } else {
      auto entry = settings::to_json(std::vector<settings::IceServer>{configured});
      servers.push_back(std::move(entry.as_array().front()));
    }
  }
  json::object answer{{"type", "ice_servers"}, {"peer", *peer}, {"iceServers", std::move(servers)}};
  if (ref) answer["ref"] = *ref;
  hub_.send_to(tab, json::serialize(answer));
}

void UiBridge::send_signal(std::uint64_t tab, const json::object& message, const json::value* ref) {
  // {"type":"signal","ref":…,"to":peer,"kind":"offer","session":"…","payload":{…},"ttlMs":120000}
  const auto* to = message.if_contains("to");
  const auto* kind = message.if_contains("kind");
  const auto* session = message.if_contains("session");
  const auto* payload = message.if_contains("payload");
  const auto* ttl = message.if_contains("ttlMs");
  if (!to || !to->is_string() || !kind || !kind->is_string() || !signaling::is_valid_type(kind->get_string()) ||
      (session && (!session->is_string() || session->get_string().size() > kMaxSessionIdBytes)) ||
      (payload && !payload->is_object()) || (ttl && !ttl->is_int64())) {
    hub_.send_to(tab, ws::ui_error("bad_request",
                                   "a signal needs \"to\" (a peer id), \"kind\" (e.g. \"offer\"), an optional "
                                   "\"session\" string, an optional \"payload\" object and an optional \"ttlMs\"",
                                   ref));
    return;
  }
  if (signaling::is_daemon_type(kind->get_string())) {
    hub_.send_to(tab, ws::ui_error("bad_request",
                                   "\"" + std::string(kind->get_string()) +
                                       "\" messages are the daemons' own; a page cannot send them",
                                   ref));
    return;
  }
  if (origins_.size() >= kMaxPendingOrigins) origins_.erase(origins_.begin());
  const std::string session_id = session ? std::string(session->get_string()) : std::string();
  const json::object carried{{"session", session_id}, {"data", payload ? *payload : json::value(json::object{})}};
  const auto tag = next_tag_++;
  auto entry = signaling_.send(std::string(to->get_string()), std::string(kind->get_string()),
                               json::serialize(carried), std::chrono::milliseconds(ttl ? ttl->get_int64() : 0), tag);
  if (!entry) {
    hub_.send_to(tab, ws::ui_error(error_text(entry.error()), error_sentence(entry.error()), ref));
    return;
  }
  origins_.emplace(tag, Origin{tab, ref ? *ref : json::value()});
  if (!session_id.empty()) own(session_id, std::string(to->get_string()), tab);
  // Queued either way (it may come back within the TTL); the UI can say "waiting for the peer".
  const auto peer = discovery_.find_peer(std::string(to->get_string()));
  json::object ack{{"type", "ack"}, {"seq", entry->sequence}, {"to", to->get_string()},
                   {"peerOnline", peer && peer->online}};
  if (ref) ack["ref"] = *ref;
  hub_.send_to(tab, json::serialize(ack));
}

void UiBridge::own(const std::string& session, const std::string& peer, std::uint64_t tab) {
  if (owners_.count(session)) return;
  owners_.emplace(session, tab);
  // The other tabs may show this session's request: it is answered now.
  hub_.broadcast_except(
      tab, json::serialize(json::object{{"type", "session_taken"}, {"peer", peer}, {"session", session}}));
  owner_order_.push_back(session);
  if (owner_order_.size() > kMaxOwnedSessions) {
    owners_.erase(owner_order_.front());
    owner_order_.pop_front();
  }
}

void UiBridge::tab_closed(std::uint64_t tab) {
  std::erase_if(owners_, [tab](const auto& kv) { return kv.second == tab; });
}

void UiBridge::deliver(const signaling::IncomingSignal& signal) {
  boost::system::error_code ec;
  const auto carried = json::parse(signal.payload, ec);
  std::string session;
  json::value data = json::object{};
  if (!ec && carried.is_object()) {
    if (const auto* s = carried.get_object().if_contains("session"); s && s->is_string()) session = s->get_string();
    if (const auto* d = carried.get_object().if_contains("data")) data = *d;
  }
  const auto text = json::serialize(json::object{{"type", "signal"},
                                                 {"from", signal.from},
                                                 {"kind", signal.type},
                                                 {"session", session},
                                                 {"payload", data},
                                                 {"seq", signal.sequence}});
  const auto owner = session.empty() ? owners_.end() : owners_.find(session);
  if (owner != owners_.end() && hub_.send_to(owner->second, text)) return;
  hub_.broadcast(text);
}

void UiBridge::delivered(std::uint64_t tag) {
  const auto it = origins_.find(tag);
  if (it == origins_.end()) return;
  json::object message{{"type", "delivered"}};
  if (!it->second.ref.is_null()) message["ref"] = it->second.ref;
  hub_.send_to(it->second.tab, json::serialize(message));
  origins_.erase(it);
}

void UiBridge::expired(std::uint64_t tag, const std::string& peer) {
  const auto it = origins_.find(tag);
  json::object message{{"type", "expired"},
                       {"to", peer},
                       {"error", "the peer did not fetch this message in time; it may be offline or unreachable"}};
  if (it == origins_.end()) {
    hub_.broadcast(json::serialize(message));  // sent before a restart: whoever is looking should know
    return;
  }
  if (!it->second.ref.is_null()) message["ref"] = it->second.ref;
  if (!hub_.send_to(it->second.tab, json::serialize(message))) hub_.broadcast(json::serialize(message));
  origins_.erase(it);
}

void UiBridge::key_changed(const std::string& claimed_id) {
  hub_.broadcast(json::serialize(json::object{
      {"type", "peer_key_changed"},
      {"peer", claimed_id},
      {"error", "messages claiming to come from this peer are signed by a different key: it was reinstalled, or "
                "someone is impersonating it. They were refused."}}));
}

}  // namespace peerdrop::app
