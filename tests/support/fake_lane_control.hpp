#pragma once

#include <string>
#include <vector>

#include "core/errc.hpp"
#include "lane/lane_control.hpp"

namespace peerdrop::testing {

// The transfer lane's control port without a lane: it records what it was
// asked and answers what the test put in it.
class FakeLaneControl final : public lane::LaneControl {
 public:
  struct Answered {
    std::string tid;
    bool accept = false;
    std::string by;
  };

  boost::system::result<boost::json::object> send_paths(const std::string& peer, const std::vector<std::string>& paths,
                                                        std::string& failed_path) override {
    sent_to = peer;
    sent_paths = paths;
    if (send_error) {
      failed_path = paths.empty() ? std::string() : paths.front();
      return send_error;
    }
    return boost::json::object{{"tid", "tttttttttttttttttttttt"}, {"peer", peer}, {"state", "offered"}};
  }
  boost::system::result<boost::json::object> send_from_page(
      const std::string& peer, std::vector<std::pair<std::string, std::uint64_t>> files) override {
    sent_to = peer;
    page_files = std::move(files);
    return boost::json::object{{"tid", "tttttttttttttttttttttt"}, {"peer", peer}, {"state", "offered"}};
  }
  boost::system::error_code upload(const std::string& tid, std::uint32_t index, std::uint64_t offset,
                                   std::span<const std::uint8_t> bytes) override {
    if (tid != known_tid || index != 0 || offset != uploaded_bytes) {
      return core::make_error_code(core::Errc::unknown_transfer);
    }
    uploaded_bytes += bytes.size();
    return {};
  }
  std::uint64_t uploaded(const std::string&, std::uint32_t) const override { return uploaded_bytes; }
  boost::system::result<std::uint64_t> upload_size(const std::string& tid, std::uint32_t index) const override {
    if (tid != known_tid || index != 0) return core::make_error_code(core::Errc::unknown_transfer);
    return upload_file_size;
  }
  boost::json::object list() const override { return {{"transfers", boost::json::array{}}}; }
  boost::system::result<boost::json::object> get(const std::string& tid) const override {
    if (tid == known_tid) return boost::json::object{{"tid", tid}};
    return core::make_error_code(core::Errc::unknown_transfer);
  }
  boost::system::error_code cancel(const std::string& tid) override {
    cancelled.push_back(tid);
    return tid == known_tid ? boost::system::error_code{} : core::make_error_code(core::Errc::unknown_transfer);
  }
  boost::json::object offers() const override { return {{"offers", boost::json::array{}}}; }
  boost::system::error_code answer(const std::string& tid, bool accept, const std::string& by) override {
    answered.push_back(Answered{tid, accept, by});
    return tid == known_tid ? boost::system::error_code{} : core::make_error_code(core::Errc::unknown_transfer);
  }

  std::string known_tid = "kkkkkkkkkkkkkkkkkkkkkk";
  boost::system::error_code send_error;
  std::string sent_to;
  std::vector<std::string> sent_paths;
  std::vector<std::pair<std::string, std::uint64_t>> page_files;
  std::uint64_t uploaded_bytes = 0;
  std::uint64_t upload_file_size = 1024 * 1024;
  std::vector<std::string> cancelled;
  std::vector<Answered> answered;
};

}  // namespace peerdrop::testing
