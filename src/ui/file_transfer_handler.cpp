#include "ui/file_transfer_handler.hpp"

#include "core/errc.hpp"
#include "core/error_text.hpp"
#include "transfer/received_file_json.hpp"
#include "ui/ui_message_writer.hpp"

namespace peerdrop::ui {

namespace json = boost::json;
using core::Errc;
using transfer::TransferService;

namespace {

ErrorMessage error_message(const boost::system::error_code& ec, const std::optional<json::value>& ref) {
  auto [code, sentence] = core::error_text(ec);
  return ErrorMessage{.code = std::string(code), .error = std::move(sentence), .ref = ref};
}

}  // namespace

FileTransferHandler::FileTransferHandler(boost::asio::any_io_executor executor, UiSender& tabs,
                                         TransferService& service, transfer::ReceivedFiles& received,
                                         transfer::TransferTimers& timers, const transfer::TransferConfig& config)
    : tabs_(tabs),
      service_(service),
      received_(received),
      timers_(timers),
      config_(config),
      files_timer_(std::move(executor)) {}

void FileTransferHandler::greet(Tab tab) { tabs_.send_to(tab, files_message()); }

void FileTransferHandler::on(Tab tab, const FileOpen& m, const std::optional<json::value>& ref) {
  const auto opened = service_.open(tab, TransferService::OpenRequest{
                                             .peer = m.peer, .transfer_id = m.tid, .index = m.index, .path = m.path,
                                             .size = m.size});
  timers_.arm_checkpoint();
  if (!opened) {
    auto error = error_message(opened.error(), ref);
    if (opened.error() == Errc::malformed) {
      error.error = "\"peer\" must be a peer id and \"tid\" 22 to 32 characters of A-Z, a-z, 0-9, _ and -";
    }
    tabs_.send_to(tab, serialize(error));
    return;
  }
  tabs_.send_to(tab, serialize(FileOpened{.ref = ref,
                                          .tid = m.tid,
                                          .index = m.index,
                                          .handle = opened->handle,
                                          .offset = opened->offset,
                                          .name = opened->name,
                                          .complete = opened->complete}));
}

void FileTransferHandler::on(Tab tab, const FileFinish& m, const std::optional<json::value>& ref) {
  const auto finished = service_.finish(tab, m.handle, m.size, m.sha256);
  timers_.arm_checkpoint();
  if (!finished) {
    auto error = error_message(finished.error(), ref);
    error.handle = m.handle;
    if (finished.error() == Errc::malformed) error.error = "\"sha256\" must be 64 hex digits";
    tabs_.send_to(tab, serialize(error));
    return;
  }
  FileFinished answer{.ref = ref, .tid = finished->transfer_id, .index = finished->index, .ok = !finished->error};
  if (finished->error) {
    auto [code, sentence] = core::error_text(finished->error);
    answer.code = code;
    answer.error = std::move(sentence);
  } else {
    answer.name = finished->file.name;
  }
  tabs_.send_to(tab, serialize(answer));
  if (!finished->error && !finished->again) landed(finished->file);
}

void FileTransferHandler::on(Tab tab, const FileCancel& m, const std::optional<json::value>& ref) {
  // No answer unless it is malformed.
  if (service_.cancel(m.peer, m.tid) == Errc::malformed) {
    tabs_.send_to(tab, serialize(ErrorMessage{.code = "bad_request",
                                              .error = "file_cancel needs \"peer\" (a peer id) and \"tid\"",
                                              .ref = ref}));
  }
  timers_.arm_checkpoint();
}

void FileTransferHandler::on_binary(Tab tab, std::span<const std::uint8_t> frame) {
  const auto result = service_.receive_frame(tab, frame);
  if (result.error) {
    auto error = error_message(result.error, std::nullopt);
    error.handle = result.handle;
    if (!result.handle) error.error = "a binary message is a 12-byte header (u32 handle, u64 offset) and at most 1 MiB";
    tabs_.send_to(tab, serialize(error));
  }
  timers_.arm_checkpoint();
}

void FileTransferHandler::progress(const TransferService::Progress& p) {
  tabs_.send_to(p.tab, serialize(FileProgress{.peer = p.peer,
                                              .tid = p.transfer_id,
                                              .index = p.index,
                                              .received = p.received,
                                              .durable = p.durable}));
}

void FileTransferHandler::tab_closed(Tab tab) { service_.tab_closed(tab); }

void FileTransferHandler::stop() {
  stopped_ = true;
  files_timer_.cancel();
}

void FileTransferHandler::landed(const transfer::ReceivedFile& file) {
  received_.record(file);
  if (files_push_pending_ || stopped_) return;
  files_push_pending_ = true;
  files_timer_.expires_after(config_.files_push_delay);
  files_timer_.async_wait([this](const boost::system::error_code& ec) {
    files_push_pending_ = false;
    if (ec || stopped_ || tabs_.size() == 0) return;
    tabs_.broadcast(files_message());
  });
}

std::string FileTransferHandler::files_message() {
  return serialize(FileList{.files = transfer::to_json(received_.recent_files())});
}

}  // namespace peerdrop::ui
