#include "ui/signal_router.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/error_text.hpp"
#include "ui/ui_message_writer.hpp"

namespace peerdrop::ui {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxOwnedSessions = 4096;
constexpr std::size_t kMaxPendingOrigins = 100'000;

}  // namespace

SignalRouter::SignalRouter(UiSender& tabs, signaling::SignalingService& signaling,
                           discovery::DiscoveryService& discovery)
    : tabs_(tabs), signaling_(signaling), discovery_(discovery) {}

void SignalRouter::on(Tab tab, const SignalRequest& signal, const std::optional<json::value>& ref) {
  if (origins_.size() >= kMaxPendingOrigins) origins_.erase(origins_.begin());
  const json::object carried{{"session", signal.session}, {"data", signal.payload}};
  const auto tag = next_tag_++;
  auto entry = signaling_.send(signal.to, signal.kind, json::serialize(carried), signal.ttl, tag);
  if (!entry) {
    auto [code, sentence] = core::error_text(entry.error());
    tabs_.send_to(tab, serialize(ErrorMessage{.code = std::string(code), .error = std::move(sentence), .ref = ref}));
    return;
  }
  origins_.emplace(tag, Origin{tab, ref});
  if (!signal.session.empty()) own(signal.session, signal.to, tab);
  // Queued either way (it may come back within the TTL); the UI can say "waiting for the peer".
  const auto peer = discovery_.find_peer(signal.to);
  tabs_.send_to(tab, serialize(SignalAck{
                         .ref = ref, .seq = entry->sequence, .to = signal.to, .peer_online = peer && peer->online}));
}

void SignalRouter::on(Tab, const SessionUpdate& session) {
  if (session.state == "connecting") {
    // Signals are about to flow: a channel to the peer now, if there is none.
    discovery_.want_channel(session.peer);
  } else if (session.state == "established") {
    // Connection history: the peer's lastConnected (persisted), pushed to every tab.
    discovery_.record_connection(session.peer);
  }
}

void SignalRouter::own(const std::string& session, const std::string& peer, Tab tab) {
  if (owners_.count(session)) return;
  owners_.emplace(session, tab);
  // The other tabs may show this session's request: it is answered now.
  tabs_.broadcast_except(tab, serialize(SessionTaken{.peer = peer, .session = session}));
  owner_order_.push_back(session);
  if (owner_order_.size() > kMaxOwnedSessions) {
    owners_.erase(owner_order_.front());
    owner_order_.pop_front();
  }
}

void SignalRouter::tab_closed(Tab tab) {
  std::erase_if(owners_, [tab](const auto& kv) { return kv.second == tab; });
}

void SignalRouter::deliver(const signaling::IncomingSignal& signal) {
  boost::system::error_code ec;
  const auto carried = json::parse(signal.payload, ec);
  PeerSignal message{.from = signal.from, .kind = signal.type, .payload = json::object{}, .seq = signal.sequence};
  if (!ec && carried.is_object()) {
    if (const auto* s = carried.get_object().if_contains("session"); s && s->is_string()) {
      message.session = s->get_string();
    }
    if (const auto* d = carried.get_object().if_contains("data")) message.payload = *d;
  }
  const auto text = serialize(message);
  const auto owner = message.session.empty() ? owners_.end() : owners_.find(message.session);
  if (owner != owners_.end() && tabs_.send_to(owner->second, text)) return;
  tabs_.broadcast(text);
}

void SignalRouter::delivered(std::uint64_t tag) {
  const auto it = origins_.find(tag);
  if (it == origins_.end()) return;
  tabs_.send_to(it->second.tab, serialize(Delivered{.ref = it->second.ref}));
  origins_.erase(it);
}

void SignalRouter::expired(std::uint64_t tag, const std::string& peer) {
  Expired message{.to = peer, .error = "the peer did not fetch this message in time; it may be offline or unreachable"};
  const auto it = origins_.find(tag);
  if (it == origins_.end()) {
    tabs_.broadcast(serialize(message));  // sent before a restart: whoever is looking should know
    return;
  }
  message.ref = it->second.ref;
  const auto text = serialize(message);
  if (!tabs_.send_to(it->second.tab, text)) tabs_.broadcast(text);
  origins_.erase(it);
}

}  // namespace peerdrop::ui
