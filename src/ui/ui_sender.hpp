#pragma once

#include <cstddef>
#include <string>

#include "ui/ui_messages.hpp"

namespace peerdrop::ui {

// Where the UI protocol's handlers send their messages: every open tab, or
// one. UiHub sends them over the tabs' WebSockets; tests capture them.
class UiSender {
 public:
  virtual ~UiSender() = default;
  // False if the tab is gone (or too slow, and now closed).
  virtual bool send_to(Tab tab, const std::string& text) = 0;
  virtual void broadcast(const std::string& text) = 0;
  virtual void broadcast_except(Tab tab, const std::string& text) = 0;
  virtual std::size_t size() const = 0;  // open tabs
};

}  // namespace peerdrop::ui
