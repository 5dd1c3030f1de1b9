#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/logging.hpp"
#include "transfer/download_folder.hpp"
#include "transfer/file_library.hpp"
#include "transfer/received_file_store.hpp"

namespace peerdrop::transfer {

// The files this daemon received: recorded as they land, looked up to make
// a repeated finish idempotent, listed and served (FileLibrary). A database
// failure is logged and read as "none": a file in place stays in place.
class ReceivedFiles final : public FileLibrary {
 public:
  ReceivedFiles(ReceivedFileStore& store, const DownloadFolder& folder, core::Logger logger);

  void record(const ReceivedFile& file);
  // The file `index` of the peer's transfer, if it landed (TransferService's finished lookup).
  std::optional<ReceivedFile> find(const std::string& peer, const std::string& transfer_id, std::uint32_t index);

  // FileLibrary
  std::vector<ReceivedFile> recent_files() override;
  boost::system::result<core::UniqueFd> open_file(const SanitizedPath& path) const override;

 private:
  ReceivedFileStore& store_;
  const DownloadFolder& folder_;
  core::Logger logger_;
};

}  // namespace peerdrop::transfer
