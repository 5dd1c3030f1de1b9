#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/logging.hpp"
#include "notify/notification_registry.hpp"
#include "notify/notify_config.hpp"
#include "notify/offer_notice.hpp"

namespace peerdrop::notify {

class SessionBus;

// Offers as desktop notifications with Accept and Decline, through the
// freedesktop Notifications interface (org.freedesktop.Notifications,
// specification 1.2) on the user's D-Bus session bus, driven by the
// daemon's event loop (SessionBus). Without a session bus it says so once
// in the log and does nothing: offers are then answered in the UI or with
// `peerdrop accept`.
//
// Every call is asynchronous. show() asks the desktop's notification server
// to show an offer; when the user picks Accept or Decline, the notification
// is closed and `accepted` or `declined` is called with the offer's key. A
// notification that goes away without an answer (the user dismissed it, it
// expired) calls `dismissed`: the offer still waits for the other ways. A
// bus that goes away is logged once and ends all of this; no hook is called
// after that. Hooks run on the event loop and may call show() and withdraw(),
// but must not destroy the notifier.
class DesktopNotifier {
 public:
  struct Hooks {
    std::function<void(const std::string& key)> accepted;
    std::function<void(const std::string& key)> declined;
    std::function<void(const std::string& key)> dismissed;
  };

  DesktopNotifier(boost::asio::any_io_executor executor, const core::Clock& clock, NotifyConfig config, Hooks hooks,
                  core::Logger logger);
  ~DesktopNotifier();  // stop()
  DesktopNotifier(const DesktopNotifier&) = delete;
  DesktopNotifier& operator=(const DesktopNotifier&) = delete;

  // Connected to a session bus: show() can work.
  bool available() const;
  // Asks the desktop to show `offer` (an offer already shown: nothing). False
  // when it is not shown: no session bus, max_shown notifications on the
  // desktop already, or the offer has expired.
  bool show(const OfferNotice& offer);
  // The offer was answered elsewhere or expired: its notification is closed
  // (once it is shown, if its Notify call is still under way). No hook is called.
  void withdraw(const std::string& key);
  // Closes every notification and then the connection; notifications whose
  // Notify is still under way are closed once the server names them, for at
  // most stop_grace on the event loop. No hook is called after it.
  void stop();

  struct BusCallbacks;  // sd-bus's C callbacks (desktop_notifier.cpp)

 private:
  void subscribe();
  void close_notification(std::uint32_t id);
  void answer(const NotificationRegistry::Event& event);
  void lost(const std::string& why);

  const core::Clock& clock_;
  NotifyConfig config_;
  Hooks hooks_;
  core::Logger logger_;
  NotificationRegistry registry_;
  bool connected_ = false;  // the bus answered: the connection is up
  bool stopped_ = false;
  bool body_markup_ = true;          // escape until the server says it shows bodies as plain text
  bool full_logged_ = false;         // the "no room" line, once until there is room again
  bool refusal_logged_ = false;      // the "not shown" line, once until a notification is shown again
  std::unique_ptr<SessionBus> bus_;  // last member: destroyed first, with every sd-bus callback into this
};

}  // namespace peerdrop::notify
