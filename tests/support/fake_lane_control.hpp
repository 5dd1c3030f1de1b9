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
  std::vector<std::string> cancelled;
  std::vector<Answered> answered;
};

}  // namespace peerdrop::testing
