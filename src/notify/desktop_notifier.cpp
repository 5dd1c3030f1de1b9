#include "notify/desktop_notifier.hpp"

#include <systemd/sd-bus.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "notify/notification_text.hpp"
#include "notify/session_bus.hpp"

namespace peerdrop::notify {

namespace {

constexpr const char* kService = "org.freedesktop.Notifications";
constexpr const char* kPath = "/org/freedesktop/Notifications";
constexpr const char* kInterface = "org.freedesktop.Notifications";
constexpr const char* kAppName = "PeerDrop";
constexpr const char* kElsewhere = "offers are answered in the UI or with peerdrop accept";
constexpr std::uint8_t kUrgencyNormal = 1;

using Message = std::unique_ptr<sd_bus_message, decltype(&sd_bus_message_unref)>;

// Why there is no session bus, for the log.
std::string no_bus_reason(const boost::system::error_code& error, const std::string& address) {
  if (error.value() == ENOMEDIUM) return "DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR are not set";
  std::string where = address;
  if (where.empty()) {
    const char* session = std::getenv("DBUS_SESSION_BUS_ADDRESS");
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    where = session ? session : std::string(runtime ? runtime : "") + "/bus";
  }
  return "no session bus at " + where + ": " + error.message();
}

std::string error_text(const sd_bus_error* error) {
  if (!error || !sd_bus_error_is_set(error)) return "no reason given";
  return std::string(error->name) + (error->message ? std::string(": ") + error->message : std::string());
}

}  // namespace

// sd-bus calls these with the notifier as userdata, only from SessionBus's
// sd_bus_process, and never after the notifier is gone (its bus goes first).
struct DesktopNotifier::BusCallbacks {
  static DesktopNotifier& of(void* userdata) { return *static_cast<DesktopNotifier*>(userdata); }

  static int notify_reply(sd_bus_message* reply, void* userdata, sd_bus_error* /*ret*/) {
    auto& self = of(userdata);
    std::uint64_t request = 0;
    sd_bus_message_get_reply_cookie(reply, &request);
    std::uint32_t id = 0;
    if (sd_bus_message_is_method_error(reply, nullptr) || sd_bus_message_read(reply, "u", &id) < 0) {
      const auto key = self.registry_.failed(request);
      // A call cut off with the connection is no refusal: lost() says what happened.
      if (key && !self.refusal_logged_ && sd_bus_is_open(sd_bus_message_get_bus(reply)) > 0) {
        self.refusal_logged_ = true;
        self.logger_->warn("the desktop did not show the notification for an offer ({}): {}",
                           error_text(sd_bus_message_get_error(reply)), kElsewhere);
      }
      return 0;
    }
    self.refusal_logged_ = false;
    const auto shown = self.registry_.shown(request, id);
    if (shown && shown->close_now) self.close_notification(id);
    return 0;
  }

  static int action_invoked(sd_bus_message* signal, void* userdata, sd_bus_error* /*ret*/) {
    auto& self = of(userdata);
    std::uint32_t id = 0;
    const char* action = nullptr;
    if (sd_bus_message_read(signal, "us", &id, &action) < 0) return 0;
    if (const auto event = self.registry_.action_invoked(id, action)) {
      self.close_notification(id);  // servers may leave it up after an action (dunst does)
      self.answer(*event);
    }
    return 0;
  }

  static int notification_closed(sd_bus_message* signal, void* userdata, sd_bus_error* /*ret*/) {
    auto& self = of(userdata);
    std::uint32_t id = 0;
    std::uint32_t reason = 0;
    if (sd_bus_message_read(signal, "uu", &id, &reason) < 0) return 0;
    if (const auto event = self.registry_.closed(id)) {
      self.logger_->debug("the notification for offer {} closed (reason {})", event->key, reason);
      self.answer(*event);
    }
    return 0;
  }

  static int capabilities(sd_bus_message* reply, void* userdata, sd_bus_error* /*ret*/) {
    auto& self = of(userdata);
    if (sd_bus_message_is_method_error(reply, nullptr)) return 0;  // no server yet: keep escaping
    if (sd_bus_message_enter_container(reply, 'a', "s") < 0) return 0;
    bool markup = false;
    const char* capability = nullptr;
    while (sd_bus_message_read(reply, "s", &capability) > 0)
      markup = markup || std::strcmp(capability, "body-markup") == 0;
    self.body_markup_ = markup;
    return 0;
  }

  // The bus's answer to AddMatch: the first one says the connection is up.
  static int match_installed(sd_bus_message* reply, void* userdata, sd_bus_error* /*ret*/) {
    auto& self = of(userdata);
    if (sd_bus_message_is_method_error(reply, nullptr)) {
      if (sd_bus_is_open(sd_bus_message_get_bus(reply)) > 0) {  // else cut off: lost() says what happened
        self.logger_->warn("cannot receive the answers given in desktop notifications ({}): {}",
                           error_text(sd_bus_message_get_error(reply)), kElsewhere);
      }
      return 0;
    }
    if (!self.connected_) {
      self.connected_ = true;
      self.logger_->info(
          "desktop session found: offers are also shown as desktop notifications with Accept and Decline");
    }
    return 0;
  }
};

DesktopNotifier::DesktopNotifier(boost::asio::any_io_executor executor, const core::Clock& clock, NotifyConfig config,
                                 Hooks hooks, core::Logger logger)
    : clock_(clock),
      config_(std::move(config)),
      hooks_(std::move(hooks)),
      logger_(std::move(logger)),
      registry_(config_.max_shown) {
  if (config_.bus_address == "none") {
    logger_->info("desktop notifications are off (--notify-bus none): {}", kElsewhere);
    return;
  }
  auto bus = SessionBus::open(std::move(executor), config_.bus_address, [this](const std::string& why) { lost(why); });
  if (!bus) {
    logger_->info("no desktop session ({}): {}", no_bus_reason(bus.error(), config_.bus_address), kElsewhere);
    return;
  }
  bus_ = std::move(*bus);
  subscribe();
}

DesktopNotifier::~DesktopNotifier() { stop(); }

void DesktopNotifier::subscribe() {
  sd_bus* bus = bus_->get();
  // Floating slots (nullptr): they live as long as the connection.
  int r = sd_bus_match_signal_async(bus, nullptr, kService, kPath, kInterface, "ActionInvoked",
                                    &BusCallbacks::action_invoked, &BusCallbacks::match_installed, this);
  if (r >= 0) {
    r = sd_bus_match_signal_async(bus, nullptr, kService, kPath, kInterface, "NotificationClosed",
                                  &BusCallbacks::notification_closed, &BusCallbacks::match_installed, this);
  }
  if (r < 0)
    logger_->warn("cannot receive the answers given in desktop notifications ({}): {}", std::strerror(-r), kElsewhere);

  // Whether bodies are read as markup; asked without starting a server that is not running.
  sd_bus_message* raw = nullptr;
  if (sd_bus_message_new_method_call(bus, &raw, kService, kPath, kInterface, "GetCapabilities") >= 0) {
    const Message call(raw, &sd_bus_message_unref);
    sd_bus_message_set_auto_start(call.get(), 0);
    sd_bus_call_async(bus, nullptr, call.get(), &BusCallbacks::capabilities, this, 0);
  }
  bus_->wake();
}

bool DesktopNotifier::available() const { return !stopped_ && bus_ && bus_->get(); }

bool DesktopNotifier::show(const OfferNotice& offer) {
  if (!available()) return false;
  const auto timeout = expire_timeout_ms(offer.expires_at, clock_.now());
  if (!timeout) return false;
  switch (registry_.admit(offer.key)) {
    case NotificationRegistry::Admission::already_shown:
      return true;
    case NotificationRegistry::Admission::full:
      if (!full_logged_) {
        full_logged_ = true;
        logger_->info("{} offers are shown as desktop notifications already; more are not: {}", config_.max_shown,
                      kElsewhere);
      }
      return false;
    case NotificationRegistry::Admission::admitted:
      full_logged_ = false;
      break;
  }

  const auto text = notification_text(offer, body_markup_);
  sd_bus* bus = bus_->get();
  sd_bus_message* raw = nullptr;
  int r = sd_bus_message_new_method_call(bus, &raw, kService, kPath, kInterface, "Notify");
  const Message call(raw, &sd_bus_message_unref);
  // Notify(app_name s, replaces_id u, app_icon s, summary s, body s, actions as, hints a{sv}, expire_timeout i)
  if (r >= 0) {
    r = sd_bus_message_append(call.get(), "susss", kAppName, std::uint32_t{0}, "", text.summary.c_str(),
                              text.body.c_str());
  }
  if (r >= 0) r = sd_bus_message_append(call.get(), "as", 4u, "accept", "Accept", "decline", "Decline");
  if (r >= 0) {
    r = sd_bus_message_append(call.get(), "a{sv}", 2u, "urgency", "y", kUrgencyNormal, "category", "s", "transfer");
  }
  if (r >= 0) r = sd_bus_message_append(call.get(), "i", *timeout);
  if (r >= 0) r = sd_bus_call_async(bus, nullptr, call.get(), &BusCallbacks::notify_reply, this, 0);
  std::uint64_t request = 0;
  if (r >= 0) r = sd_bus_message_get_cookie(call.get(), &request);
  if (r < 0) {
    logger_->warn("cannot send the notification for offer {} to the desktop ({}): {}", offer.key, std::strerror(-r),
                  kElsewhere);
    return false;
  }
  registry_.requested(offer.key, request);
  bus_->wake();
  return true;
}

void DesktopNotifier::withdraw(const std::string& key) {
  if (!available()) return;
  if (const auto id = registry_.withdraw(key)) close_notification(*id);
}

void DesktopNotifier::stop() {
  if (!available()) return;
  stopped_ = true;
  for (const auto id : registry_.withdraw_all()) close_notification(id);
  bus_->close_when_done(config_.stop_grace);
}

void DesktopNotifier::close_notification(std::uint32_t id) {
  if (!bus_->get()) return;
  // No reply wanted: a notification that is gone already is no error worth a line.
  const int r = sd_bus_call_method_async(bus_->get(), nullptr, kService, kPath, kInterface, "CloseNotification",
                                         nullptr, nullptr, "u", id);
  if (r < 0) logger_->debug("cannot close desktop notification {}: {}", id, std::strerror(-r));
  bus_->wake();
}

void DesktopNotifier::answer(const NotificationRegistry::Event& event) {
  switch (event.answer) {
    case NotificationRegistry::Answer::accepted:
      logger_->info("offer {} accepted in a desktop notification", event.key);
      if (hooks_.accepted) hooks_.accepted(event.key);
      break;
    case NotificationRegistry::Answer::declined:
      logger_->info("offer {} declined in a desktop notification", event.key);
      if (hooks_.declined) hooks_.declined(event.key);
      break;
    case NotificationRegistry::Answer::dismissed:
      logger_->info("the desktop notification for offer {} closed without an answer: {}", event.key, kElsewhere);
      if (hooks_.dismissed) hooks_.dismissed(event.key);
      break;
  }
}

void DesktopNotifier::lost(const std::string& why) {
  registry_.clear();
  if (stopped_) return;  // it was ending anyway
  if (!connected_) {     // connecting failed after all, e.g. the bus is another user's
    logger_->info("no desktop session (the session bus refused the connection: {}): {}", why, kElsewhere);
    return;
  }
  logger_->warn("the desktop session bus went away ({}): no more desktop notifications until peerdropd restarts; {}",
                why, kElsewhere);
}

}  // namespace peerdrop::notify
