#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace peerdrop::notify {

// Desktop notifications for offers (docs/architecture.md, "Desktop notifications").
struct NotifyConfig {
  // The D-Bus address to use; empty: the user's session bus ($DBUS_SESSION_BUS_ADDRESS,
  // else $XDG_RUNTIME_DIR/bus); "none": no notifications. Tests point it at a private bus.
  std::string bus_address;
  // Offers shown as notifications at once; further offers wait in the UI and for `peerdrop accept`.
  std::size_t max_shown = 16;
  // At stop, how long the connection stays for the notifications whose Notify
  // is still under way: they are closed as soon as the server names them.
  std::chrono::milliseconds stop_grace{1'000};
};

}  // namespace peerdrop::notify
