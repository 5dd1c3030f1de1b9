#include "lane/lane_service.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>

#include "core/errc.hpp"
#include "lane/lane_data_frame.hpp"
#include "lane/lane_message.hpp"
#include "lane/source_files.hpp"

namespace peerdrop::lane {

namespace asio = boost::asio;
namespace json = boost::json;
using core::Errc;

namespace {

constexpr auto kTickInterval = std::chrono::seconds(1);
// Files listed with an offer in the inbox (the rest are counted).
constexpr std::size_t kOfferFilesShown = 100;

}  // namespace

LaneService::LaneService(asio::any_io_executor executor, const LaneConfig& config, const core::Clock& clock,
                         channel::PeerChannels& channels, transfer::TransferService& service, LaneStore& store,
                         UploadSpool& spool, Hooks hooks, core::Logger logger)
    : config_(config),
      logger_(logger),
      hooks_(std::move(hooks)),
      store_(store),
      receiver_(config, clock, channels, service, store,
                [this] {
                  auto h = hooks_.receiver;
                  h.changed = [this] {
                    if (hooks_.changed) hooks_.changed();
                  };
                  return h;
                }(),
                logger),
      sender_(executor, config, clock, channels, store, spool,
              LaneSender::Hooks{.changed =
                                    [this] {
                                      if (hooks_.changed) hooks_.changed();
                                    },
                                .want_channel =
                                    [this](const std::string& peer) {
                                      if (hooks_.want_channel) hooks_.want_channel(peer);
                                    }},
              logger),
      executor_(executor),
      tick_timer_(executor) {}

void LaneService::start() {
  auto loaded = store_.load_all();
  if (!loaded) {
    logger_->error("could not read the transfers table: {}; earlier transfers are not resumed", loaded.error().message());
  } else {
    receiver_.load(*loaded);
    sender_.load(std::move(*loaded));
  }
  asio::co_spawn(executor_, ticker(), asio::detached);
}

void LaneService::stop() {
  stopped_ = true;
  tick_timer_.cancel();
  receiver_.stop();
  sender_.stop();
}

asio::awaitable<void> LaneService::ticker() {
  boost::system::error_code ec;
  while (!stopped_) {
    tick_timer_.expires_after(kTickInterval);
    co_await tick_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (stopped_) co_return;
    receiver_.tick();
    sender_.tick();
  }
}

void LaneService::channel_up(const std::string& peer) { sender_.channel_up(peer); }

void LaneService::channel_down(const std::string& peer) {
  sender_.channel_down(peer);
}

void LaneService::frame(const std::string& peer, channel::FrameType type, std::span<const std::uint8_t> payload) {
  if (type == channel::FrameType::transfer_data) {
    const auto data = parse_data_frame(payload);
    if (!data) {
      logger_->debug("dropped a malformed transfer data frame from {}: {}", peer, data.error().message());
      return;
    }
    return receiver_.data(peer, *data);
  }
  const auto message =
      parse_lane_message(std::string_view(reinterpret_cast<const char*>(payload.data()), payload.size()));
  if (!message) {
    logger_->debug("dropped a malformed transfer message from {}: {}", peer, message.error().message());
    return;
  }
  // Offers, ends and cancels of the peer's transfers go to the receiving side; the rest answer ours.
  if (std::holds_alternative<Offer>(*message) || std::holds_alternative<FileEnd>(*message)) {
    return receiver_.message(peer, *message);
  }
  if (std::holds_alternative<Cancel>(*message)) {
    receiver_.message(peer, *message);  // a cancel names the peer's transfer or one of ours:
    return sender_.message(peer, *message);  // each side ignores ids it does not know
  }
  sender_.message(peer, *message);
}

boost::system::result<json::object> LaneService::send_paths(const std::string& peer,
                                                            const std::vector<std::string>& paths,
                                                            std::string& failed_path) {
  if (!hooks_.known_peer || !hooks_.known_peer(peer)) return core::make_error_code(Errc::unknown_peer);
  auto files = collect_source_files(paths, config_.max_files, failed_path);
  if (!files) return files.error();
  if (files->files.empty()) return core::make_error_code(Errc::malformed);
  auto made = sender_.send(peer, std::move(files->files));
  if (!made) return made.error();
  return to_json(*made, false);
}

boost::system::result<json::object> LaneService::send_from_page(
    const std::string& peer, std::vector<std::pair<std::string, std::uint64_t>> files) {
  if (!hooks_.known_peer || !hooks_.known_peer(peer)) return core::make_error_code(Errc::unknown_peer);
  if (files.empty()) return core::make_error_code(Errc::malformed);
  if (files.size() > config_.max_files) return core::make_error_code(Errc::too_many_files);
  std::vector<LaneFile> lane_files;
  lane_files.reserve(files.size());
  for (auto& [path, size] : files) {
    if (path.empty() || path.size() > kMaxPathBytes) return core::make_error_code(Errc::malformed);
    lane_files.push_back(LaneFile{.path = std::move(path), .size = size});
  }
  auto made = sender_.send_from_page(peer, std::move(lane_files));
  if (!made) return made.error();
  return to_json(*made, true);
}

boost::system::result<std::uint64_t> LaneService::upload_size(const std::string& tid, std::uint32_t index) const {
  const auto t = sender_.find(tid);
  if (!t || is_final(t->state) || index >= t->files.size() || !t->files[index].from_page) {
    return core::make_error_code(Errc::unknown_transfer);
  }
  return t->files[index].size;
}

json::object LaneService::to_json(const LaneTransfer& t, bool with_files) const {
  const bool incoming = t.direction == Direction::incoming;
  json::object o{{"tid", t.tid},
                 {"direction", incoming ? "incoming" : "outgoing"},
                 {"peer", t.peer},
                 {"peer_name", hooks_.peer_name ? hooks_.peer_name(t.peer) : std::string()},
                 {"state", to_string(t.state)},
                 {"file_count", t.files.size()},
                 {"total_bytes", t.total_bytes()},
                 {"created_at", t.created_at},
                 {"updated_at", t.updated_at}};
  if (t.state == LaneState::offered) o["expires_at"] = t.expires_at;
  if (!t.code.empty()) o["code"] = t.code;
  if (!t.reason.empty()) o["reason"] = t.reason;
  if (!t.answered_by.empty()) o["answered_by"] = t.answered_by;
  if (!t.files.empty() && t.files.front().from_page) o["source"] = "page";
  std::map<std::uint32_t, std::string> names;
  if (incoming) {
    const auto p = receiver_.progress(t.peer, t.tid);
    o["done_bytes"] = p.received;
    o["files_landed"] = p.files_landed;
    if (!p.stalled.empty()) o["stalled"] = p.stalled;
    if (with_files) names = receiver_.landed_names(t.peer, t.tid);
  } else {
    auto p = sender_.progress(t.tid);
    o["done_bytes"] = p.sent;
    o["sent_bytes"] = p.data_bytes;  // with resends: what the transfer cost this run
    o["files_landed"] = p.files_landed;
    if (!p.stalled.empty()) o["stalled"] = p.stalled;
    names = std::move(p.landed);
  }
  if (with_files) {
    json::array files;
    files.reserve(t.files.size());
    for (std::uint32_t i = 0; i < t.files.size(); ++i) {
      json::object f{{"index", i}, {"path", t.files[i].path}, {"size", t.files[i].size}};
      if (t.files[i].from_page) f["uploaded"] = is_final(t.state) ? t.files[i].size : sender_.uploaded(t.tid, i);
      if (const auto it = names.find(i); it != names.end() && !it->second.empty()) f["name"] = it->second;
      files.push_back(std::move(f));
    }
    o["files"] = std::move(files);
  }
  return o;
}

json::object LaneService::list() const {
  std::vector<LaneTransfer> all = receiver_.transfers();
  auto sent = sender_.transfers();
  all.insert(all.end(), std::make_move_iterator(sent.begin()), std::make_move_iterator(sent.end()));
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.created_at > b.created_at; });
  json::array out;
  for (const auto& t : all) out.push_back(to_json(t, false));
  return {{"transfers", std::move(out)}};
}

boost::system::result<json::object> LaneService::get(const std::string& tid) const {
  if (auto t = sender_.find(tid)) return to_json(*t, true);
  for (const auto& t : receiver_.transfers()) {
    if (t.tid == tid) return to_json(t, true);
  }
  return core::make_error_code(Errc::unknown_transfer);
}

boost::system::error_code LaneService::cancel(const std::string& tid) {
  if (sender_.find(tid)) return sender_.cancel(tid);
  for (const auto& t : receiver_.transfers()) {
    if (t.tid == tid && !is_final(t.state)) return receiver_.cancel(t.peer, tid);
  }
  return core::make_error_code(Errc::unknown_transfer);
}

json::object LaneService::offers() const {
  json::array out;
  for (const auto& t : receiver_.transfers()) {
    if (t.state != LaneState::offered) continue;
    auto o = to_json(t, false);
    json::array files;
    for (std::size_t i = 0; i < t.files.size() && i < kOfferFilesShown; ++i) {
      files.push_back(json::object{{"path", t.files[i].path}, {"size", t.files[i].size}});
    }
    o["files"] = std::move(files);
    out.push_back(std::move(o));
  }
  return {{"offers", std::move(out)}};
}

boost::system::error_code LaneService::answer(const std::string& tid, bool accept, const std::string& by) {
  for (const auto& t : receiver_.transfers()) {
    if (t.tid != tid || t.state != LaneState::offered) continue;
    return accept ? receiver_.accept(t.peer, tid, by) : receiver_.decline(t.peer, tid, by);
  }
  return core::make_error_code(Errc::unknown_transfer);
}

}  // namespace peerdrop::lane
