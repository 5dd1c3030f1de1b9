#pragma once

#include <boost/json/object.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace peerdrop::lane {

// What the control API (POST/GET/DELETE /api/transfers, /api/offers) asks
// of the transfer lane; LaneService is the implementation. Answers are the
// JSON of docs/protocol.md, "Control API: transfers".
class LaneControl {
 public:
  virtual ~LaneControl() = default;
  // Offers the files and folders at `paths` (absolute) to `peer`. Errors:
  // unknown_peer, malformed (no files), too_many_files (also: more than one
  // offer message holds), a system error about `failed_path`, storage_failed.
  virtual boost::system::result<boost::json::object> send_paths(const std::string& peer,
                                                                const std::vector<std::string>& paths,
                                                                std::string& failed_path) = 0;
  // Offers files a page will upload (each {path, size}) to `peer`. Errors:
  // unknown_peer, malformed (no files, a bad path), too_many_files, storage_failed.
  virtual boost::system::result<boost::json::object> send_from_page(const std::string& peer,
                                                                    std::vector<std::pair<std::string, std::uint64_t>> files) = 0;
  // A page's bytes of file `index` of its transfer `tid`, at `offset`
  // (LaneSender::upload). Errors: unknown_transfer, out_of_order (see
  // uploaded()), too_large, a system error (the disk is full …).
  virtual boost::system::error_code upload(const std::string& tid, std::uint32_t index, std::uint64_t offset,
                                           std::span<const std::uint8_t> bytes) = 0;
  virtual std::uint64_t uploaded(const std::string& tid, std::uint32_t index) const = 0;
  // The size of file `index` of a page's transfer that has not ended; unknown_transfer otherwise.
  virtual boost::system::result<std::uint64_t> upload_size(const std::string& tid, std::uint32_t index) const = 0;
  // {"transfers":[…]}, newest first, both directions, without their file lists.
  virtual boost::json::object list() const = 0;
  // One transfer with its files; unknown_transfer.
  virtual boost::system::result<boost::json::object> get(const std::string& tid) const = 0;
  // Cancels a transfer in either direction; unknown_transfer.
  virtual boost::system::error_code cancel(const std::string& tid) = 0;
  // {"offers":[…]}: incoming offers that wait for an answer here.
  virtual boost::json::object offers() const = 0;
  // Answers a waiting offer; `by` says who (command line, tab, notification). unknown_transfer.
  virtual boost::system::error_code answer(const std::string& tid, bool accept, const std::string& by) = 0;
};

}  // namespace peerdrop::lane
