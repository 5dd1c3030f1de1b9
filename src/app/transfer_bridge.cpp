#include "app/transfer_bridge.hpp"

#include <boost/json/serialize.hpp>
#include <exception>
#include <limits>
#include <optional>

#include "api/received_file_json.hpp"
#include "core/errc.hpp"

namespace peerdrop::app {

namespace json = boost::json;
using core::Errc;
using transfer::TransferService;

namespace {

// The protocol's name for a failure (docs/protocol.md, "File transfer, version 1").
std::string_view code_of(const boost::system::error_code& ec) {
  if (TransferService::is_path_error(ec)) return "bad_name";
  if (ec.category() == core::category()) {
    switch (static_cast<Errc>(ec.value())) {
      case Errc::malformed: return "bad_request";
      case Errc::too_large: return "too_large";
      case Errc::out_of_order: return "out_of_order";
      case Errc::unknown_handle: return "unknown_handle";
      case Errc::disk_full: return "disk_full";
      case Errc::in_use: return "in_use";
      case Errc::too_many_files: return "too_many_files";
      case Errc::size_mismatch: return "size_mismatch";
      case Errc::hash_mismatch: return "hash_mismatch";
      case Errc::path_blocked: return "path_blocked";
      case Errc::name_taken: return "name_taken";
      default: break;
    }
  }
  return "io_error";
}

// A sentence for the person looking at the transfer.
std::string sentence_for(const boost::system::error_code& ec) {
  if (TransferService::is_path_error(ec)) {
    return "the sender's file name cannot be used in the download folder (" + ec.message() + ")";
  }
  if (ec.category() == core::category()) {
    switch (static_cast<Errc>(ec.value())) {
      case Errc::malformed: return "the request is malformed";
      case Errc::too_large: return "the bytes go past the file's announced size, or the file is too large";
      case Errc::out_of_order:
        return "the bytes start past what was received so far; resume from the offset that file_open gives";
      case Errc::unknown_handle:
        return "no file is open with this handle (it was finished, cancelled, or taken over by another tab); "
               "open it again with file_open";
      case Errc::disk_full: return "there is not enough space left in the download folder";
      case Errc::in_use: return "another program is writing this file; try again later";
      case Errc::too_many_files: return "this tab has too many files open; finish or cancel some first";
      case Errc::size_mismatch: return "the number of bytes received differs from the size the sender announced";
      case Errc::hash_mismatch:
        return "what arrived differs from what the sender sent (the SHA-256 does not match); the file was "
               "removed and must be sent again";
      case Errc::path_blocked: return "a file or a link in the download folder is in the way of this file's folder";
      case Errc::name_taken: return "every numbered variant of this file's name is taken in the download folder";
      default: break;
    }
  }
  return "the file could not be written (" + ec.message() + ")";
}

json::object error_object(const boost::system::error_code& ec, const json::value* ref) {
  json::object error{{"type", "error"}, {"code", code_of(ec)}, {"error", sentence_for(ec)}};
  if (ref) error["ref"] = *ref;
  return error;
}

const json::string* string_field(const json::object& message, std::string_view key) {
  const auto* value = message.if_contains(key);
  return value && value->is_string() ? &value->get_string() : nullptr;
}

// A whole number from 0 to `max`, or nothing.
std::optional<std::uint64_t> whole_field(const json::object& message, std::string_view key, std::uint64_t max) {
  const auto* value = message.if_contains(key);
  if (!value) return std::nullopt;
  if (value->is_int64() && value->get_int64() >= 0 && static_cast<std::uint64_t>(value->get_int64()) <= max) {
    return static_cast<std::uint64_t>(value->get_int64());
  }
  if (value->is_uint64() && value->get_uint64() <= max) return value->get_uint64();
  return std::nullopt;
}

constexpr std::uint64_t kMaxU32 = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint64_t kMaxSafeInteger = (std::uint64_t{1} << 53) - 1;  // what JavaScript numbers hold exactly

}  // namespace

TransferBridge::TransferBridge(boost::asio::any_io_executor executor, ws::UiHub& hub, TransferService& service,
                               store::ReceivedFileStore& store, const transfer::TransferConfig& config,
                               core::Logger logger)
    : hub_(hub),
      service_(service),
      store_(store),
      config_(config),
      logger_(std::move(logger)),
      checkpoint_timer_(executor),
      sweep_timer_(executor),
      files_timer_(executor) {
  service_.set_progress_handler([this](const TransferService::Progress& p) { progress(p); });
  service_.set_finished_lookup([this](const std::string& peer, const std::string& tid, std::uint32_t index) {
    return finished_before(peer, tid, index);
  });
}

void TransferBridge::start() {
  service_.sweep();
  sweep_later();
}

void TransferBridge::stop() {
  stopped_ = true;
  checkpoint_timer_.cancel();
  sweep_timer_.cancel();
  files_timer_.cancel();
}

void TransferBridge::greet(std::uint64_t tab) { hub_.send_to(tab, files_message()); }

bool TransferBridge::on_message(std::uint64_t tab, const json::object& message) {
  const std::string_view type = message.at("type").get_string();
  const auto* ref = message.if_contains("ref");
  if (type == "file_open") {
    open(tab, message, ref);
  } else if (type == "file_finish") {
    finish(tab, message, ref);
  } else if (type == "file_cancel") {
    cancel(tab, message, ref);
  } else {
    return false;
  }
  arm_checkpoint_timer();
  return true;
}

void TransferBridge::open(std::uint64_t tab, const json::object& message, const json::value* ref) {
  // {"type":"file_open","ref":…,"peer":…,"tid":…,"i":0,"path":"photos/a.jpg","size":123}
  const auto* peer = string_field(message, "peer");
  const auto* tid = string_field(message, "tid");
  const auto* path = string_field(message, "path");
  const auto index = whole_field(message, "i", kMaxU32);
  const auto size = whole_field(message, "size", kMaxSafeInteger);
  if (!peer || !tid || !path || !index || !size) {
    hub_.send_to(tab, ws::ui_error("bad_request",
                                   "file_open needs \"peer\" (the sending peer's id), \"tid\", \"i\" (a whole "
                                   "number), \"path\" and \"size\" (bytes)",
                                   ref));
    return;
  }
  const auto opened = service_.open(tab, TransferService::OpenRequest{.peer = std::string(*peer),
                                                                      .transfer_id = std::string(*tid),
                                                                      .index = static_cast<std::uint32_t>(*index),
                                                                      .path = std::string(*path),
                                                                      .size = *size});
  if (!opened) {
    auto error = error_object(opened.error(), ref);
    if (opened.error() == Errc::malformed) {
      error["error"] = "\"peer\" must be a peer id and \"tid\" 22 to 32 characters of A-Z, a-z, 0-9, _ and -";
    }
    hub_.send_to(tab, json::serialize(error));
    return;
  }
  json::object answer{{"type", "file_opened"},    {"tid", *tid},         {"i", *index}, {"handle", opened->handle},
                      {"offset", opened->offset}, {"name", opened->name}};
  if (opened->complete) answer["complete"] = true;
  if (ref) answer["ref"] = *ref;
  hub_.send_to(tab, json::serialize(answer));
}

void TransferBridge::finish(std::uint64_t tab, const json::object& message, const json::value* ref) {
  // {"type":"file_finish","ref":…,"handle":1,"size":123,"sha256":"…"}
  const auto handle = whole_field(message, "handle", kMaxU32);
  const auto size = whole_field(message, "size", kMaxSafeInteger);
  const auto* sha256 = string_field(message, "sha256");
  if (!handle || !size || !sha256) {
    hub_.send_to(tab,
                 ws::ui_error("bad_request",
                              "file_finish needs \"handle\", \"size\" (bytes) and \"sha256\" (64 hex digits)", ref));
    return;
  }
  const auto finished = service_.finish(tab, static_cast<TransferService::Handle>(*handle), *size, *sha256);
  if (!finished) {
    auto error = error_object(finished.error(), ref);
    error["handle"] = *handle;
    if (finished.error() == Errc::malformed) error["error"] = "\"sha256\" must be 64 hex digits";
    hub_.send_to(tab, json::serialize(error));
    return;
  }
  json::object answer{
      {"type", "file_finished"}, {"tid", finished->transfer_id}, {"i", finished->index}, {"ok", !finished->error}};
  if (ref) answer["ref"] = *ref;
  if (finished->error) {
    answer["code"] = code_of(finished->error);
    answer["error"] = sentence_for(finished->error);
  } else {
    answer["name"] = finished->file.name;
  }
  hub_.send_to(tab, json::serialize(answer));
  if (!finished->error && !finished->again) landed(finished->file);
}

void TransferBridge::cancel(std::uint64_t tab, const json::object& message, const json::value* ref) {
  // {"type":"file_cancel","peer":…,"tid":…}: no answer unless it is malformed
  const auto* peer = string_field(message, "peer");
  const auto* tid = string_field(message, "tid");
  const auto ec = peer && tid ? service_.cancel(*peer, *tid) : core::make_error_code(Errc::malformed);
  if (ec == Errc::malformed) {
    hub_.send_to(tab, ws::ui_error("bad_request", "file_cancel needs \"peer\" (a peer id) and \"tid\"", ref));
  }
}

void TransferBridge::on_binary(std::uint64_t tab, std::span<const std::uint8_t> frame) {
  const auto result = service_.receive_frame(tab, frame);
  if (result.error) {
    auto error = error_object(result.error, nullptr);
    if (result.handle) error["handle"] = *result.handle;
    if (!result.handle)
      error["error"] = "a binary message is a 12-byte header (u32 handle, u64 offset) and at most 1 MiB";
    hub_.send_to(tab, json::serialize(error));
  }
  arm_checkpoint_timer();
}

void TransferBridge::tab_closed(std::uint64_t tab) { service_.tab_closed(tab); }

std::vector<transfer::ReceivedFile> TransferBridge::recent_files() {
  try {
    return store_.recent(kListedFiles);
  } catch (const std::exception& e) {
    logger_->error("could not read the received files: {}", e.what());
    return {};
  }
}

std::optional<transfer::ReceivedFile> TransferBridge::finished_before(const std::string& peer, const std::string& tid,
                                                                      std::uint32_t index) {
  try {
    return store_.find(peer, tid, index);
  } catch (const std::exception& e) {
    logger_->error("could not look up the received files: {}", e.what());
    return std::nullopt;  // then it is received again, under a numbered name
  }
}

boost::system::result<transfer::UniqueFd> TransferBridge::open_file(const transfer::SanitizedPath& path) const {
  return service_.folder().open_file(path);
}

void TransferBridge::progress(const TransferService::Progress& p) {
  hub_.send_to(p.tab, json::serialize(json::object{{"type", "file_progress"},
                                                   {"peer", p.peer},
                                                   {"tid", p.transfer_id},
                                                   {"i", p.index},
                                                   {"received", p.received},
                                                   {"durable", p.durable}}));
}

void TransferBridge::landed(const transfer::ReceivedFile& file) {
  try {
    store_.add(file);
  } catch (const std::exception& e) {
    logger_->error("could not record a received file: {}", e.what());  // it is in place all the same
  }
  // A folder of small files lands as one push, not one per file.
  if (files_push_pending_ || stopped_) return;
  files_push_pending_ = true;
  files_timer_.expires_after(config_.files_push_delay);
  files_timer_.async_wait([this](const boost::system::error_code& ec) {
    files_push_pending_ = false;
    if (ec || stopped_ || hub_.size() == 0) return;
    hub_.broadcast(files_message());
  });
}

void TransferBridge::arm_checkpoint_timer() {
  if (checkpoint_armed_ || stopped_) return;
  const auto next = service_.next_checkpoint();
  if (!next) return;
  checkpoint_armed_ = true;
  checkpoint_timer_.expires_at(*next);
  checkpoint_timer_.async_wait([this](const boost::system::error_code& ec) {
    checkpoint_armed_ = false;
    if (ec || stopped_) return;
    service_.checkpoint_due();
    arm_checkpoint_timer();
  });
}

void TransferBridge::sweep_later() {
  if (stopped_) return;
  sweep_timer_.expires_after(config_.sweep_interval);
  sweep_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    service_.sweep();
    sweep_later();
  });
}

std::string TransferBridge::files_message() {
  return json::serialize(json::object{{"type", "files"}, {"files", api::to_json(recent_files())}});
}

}  // namespace peerdrop::app
