#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerdrop::notify {

// Which offer each notification on the desktop stands for: offer key ↔
// notification id, at most `capacity` at once. Pure bookkeeping, with the
// D-Bus traffic left to DesktopNotifier: a Notify call is a request (its
// cookie) until the server answers with the notification's id, and the
// server's signals arrive here as parsed values.
class NotificationRegistry {
 public:
  enum class Answer { accepted, declined, dismissed };
  // What the user did with the notification of an offer.
  struct Event {
    std::string key;
    Answer answer = Answer::dismissed;
    std::uint32_t id = 0;
  };
  enum class Admission { admitted, already_shown, full };
  // A Notify reply for a known request: the offer, and whether the offer was
  // withdrawn while the call was under way (the notification is then closed at once).
  struct Shown {
    std::string key;
    bool close_now = false;
  };

  explicit NotificationRegistry(std::size_t capacity) : capacity_(capacity) {}

  // May `key` be shown now? A key shown or being shown already, or no room left, may not.
  Admission admit(const std::string& key) const;
  // The Notify call for an admitted key went out as `request`.
  void requested(const std::string& key, std::uint64_t request);
  // The server answered `request` with the notification's id; nothing for an unknown request.
  std::optional<Shown> shown(std::uint64_t request, std::uint32_t id);
  // The server refused `request`: the key is forgotten. Its key, if known.
  std::optional<std::string> failed(std::uint64_t request);
  // The offer was answered elsewhere or expired: the id to close if it is on
  // the desktop; if its Notify is still under way, shown() says close_now.
  std::optional<std::uint32_t> withdraw(const std::string& key);
  // ActionInvoked: "accept" or "decline" on one of ours answers its offer and
  // forgets it (its notification is to be closed). Other actions and other
  // applications' notifications: nothing.
  std::optional<Event> action_invoked(std::uint32_t id, std::string_view action);
  // NotificationClosed, for any reason (expired, dismissed by the user, closed
  // by someone else), of one of ours: dismissed, and forgotten. Ours that we
  // closed ourselves are forgotten already, so they report nothing.
  std::optional<Event> closed(std::uint32_t id);
  // withdraw() for every offer: the ids to close now (the rest are closed once shown).
  std::vector<std::uint32_t> withdraw_all();
  // Forgets everything (the connection is gone); returns the ids that were on the desktop.
  std::vector<std::uint32_t> clear();

  std::size_t size() const { return entries_.size(); }
  bool contains(const std::string& key) const { return entries_.count(key) != 0; }

 private:
  struct Entry {
    std::optional<std::uint64_t> request;  // the Notify call under way
    std::optional<std::uint32_t> id;       // once the server answered
    bool withdrawn = false;
  };
  std::optional<Event> take(std::uint32_t id, Answer answer);

  std::size_t capacity_;
  std::map<std::string, Entry> entries_;
  std::map<std::uint64_t, std::string> key_by_request_;
  std::map<std::uint32_t, std::string> key_by_id_;
};

}  // namespace peerdrop::notify
