#pragma once

#include <boost/json/parse.hpp>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ui/ui_sender.hpp"

namespace peerdrop::testing {

// UiSender for tests: the open tabs are a set the test controls, and every
// message sent to a tab is kept, parsed, in the order it was sent.
class CapturingTabs final : public ui::UiSender {
 public:
  bool send_to(ui::Tab tab, const std::string& text) override {
    if (!open.count(tab)) return false;
    frames[tab].push_back(boost::json::parse(text).as_object());
    return true;
  }
  void broadcast(const std::string& text) override {
    for (const auto tab : open) send_to(tab, text);
  }
  void broadcast_except(ui::Tab excluded, const std::string& text) override {
    for (const auto tab : open) {
      if (tab != excluded) send_to(tab, text);
    }
  }
  std::size_t size() const override { return open.size(); }

  // The messages of `type` the tab got, in order.
  std::vector<boost::json::object> of_type(ui::Tab tab, std::string_view type) const {
    std::vector<boost::json::object> out;
    const auto it = frames.find(tab);
    if (it == frames.end()) return out;
    for (const auto& frame : it->second) {
      if (frame.at("type").as_string() == type) out.push_back(frame);
    }
    return out;
  }

  std::set<ui::Tab> open;
  std::map<ui::Tab, std::vector<boost::json::object>> frames;
};

}  // namespace peerdrop::testing
