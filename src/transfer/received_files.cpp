#include "transfer/received_files.hpp"

namespace peerdrop::transfer {

ReceivedFiles::ReceivedFiles(ReceivedFileStore& store, const DownloadFolder& folder, core::Logger logger)
    : store_(store), folder_(folder), logger_(std::move(logger)) {}

void ReceivedFiles::record(const ReceivedFile& file) {
  if (const auto ec = store_.add(file)) {
    logger_->error("could not record a received file: {}", ec.message());  // it is in place all the same
  }
}

std::optional<ReceivedFile> ReceivedFiles::find(const std::string& peer, const std::string& transfer_id,
                                                std::uint32_t index) {
  auto found = store_.find(peer, transfer_id, index);
  if (!found) {
    logger_->error("could not look up the received files: {}", found.error().message());
    return std::nullopt;  // then it is received again, under a numbered name
  }
  return std::move(*found);
}

std::vector<ReceivedFile> ReceivedFiles::recent_files() {
  auto files = store_.recent(kListedFiles);
  if (!files) {
    logger_->error("could not read the received files: {}", files.error().message());
    return {};
  }
  return std::move(*files);
}

boost::system::result<core::UniqueFd> ReceivedFiles::open_file(const SanitizedPath& path) const {
  return folder_.open_file(path);
}

}  // namespace peerdrop::transfer
