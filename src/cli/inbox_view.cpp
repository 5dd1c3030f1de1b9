#include "cli/inbox_view.hpp"

#include <boost/json/array.hpp>

#include "cli/terminal_text.hpp"
#include "cli/transfer_text.hpp"

namespace peerdrop::cli {
namespace {

constexpr std::size_t kNamesShown = 3;
constexpr std::size_t kMaxNameColumns = 40;

// A file's path as the sender named it, made printable and at most kMaxNameColumns wide.
std::string short_name(const std::string& path) {
  const auto name = printable(path);
  if (columns(name) <= kMaxNameColumns) return name;
  std::string out;
  std::size_t count = 0;
  for (const char c : name) {
    const bool starts = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (starts && ++count > kMaxNameColumns - 1) break;
    out += c;
  }
  return out + "…";
}

std::string names_text(const TransferRecord& offer) {
  std::string out;
  for (std::size_t i = 0; i < offer.files.size() && i < kNamesShown; ++i) {
    out += (i == 0 ? "" : ", ") + short_name(offer.files[i].path);
  }
  if (offer.file_count > kNamesShown && !out.empty()) {
    out +=
        " and " + std::to_string(offer.file_count - std::min<std::uint64_t>(offer.files.size(), kNamesShown)) + " more";
  }
  return out;
}

}  // namespace

std::string expires_text(std::int64_t expires_at_ms, std::int64_t now_ms) {
  const auto left = expires_at_ms - now_ms;
  if (left <= 0) return "expires now";
  if (left < 60'000) return "expires in " + std::to_string((left + 999) / 1000) + " s";
  return "expires in " + std::to_string((left + 59'999) / 60'000) + " min";
}

// "5 min ago", "just now", "3 h ago", "2 days ago"
std::string ago_text(std::int64_t then_ms, std::int64_t now_ms) {
  const auto seconds = std::max<std::int64_t>(0, now_ms - then_ms) / 1000;
  if (seconds < 60) return "just now";
  if (seconds < 3600) return std::to_string(seconds / 60) + " min ago";
  if (seconds < 2 * 86400) return std::to_string(seconds / 3600) + " h ago";
  return std::to_string(seconds / 86400) + " days ago";
}

namespace {

std::string messages_text(const InboxFacts& facts) {
  if (facts.messages.empty()) return {};
  std::string out = facts.messages.size() == 1 ? "1 unread message:\n"
                                               : std::to_string(facts.messages.size()) + " unread messages:\n";
  for (const auto& m : facts.messages) {
    const auto name = facts.peer_names.find(m.peer);
    const auto who = (name == facts.peer_names.end() || name->second.empty() ? std::string("a peer")
                                                                             : printable(name->second)) +
                     " (" + m.peer.substr(0, 7) + ")";
    auto line = m.text.substr(0, m.text.find('\n'));
    out += "  from " + who + ", " + ago_text(m.sent_at_ms, facts.now_ms) + ": " + short_name(line) +
           (line.size() < m.text.size() ? " …" : "") + "\n";
  }
  out += "Read and answer them in PeerDrop (peerdrop open), or with peerdrop msg PEER TEXT.\n";
  return out;
}

}  // namespace

std::string inbox_text(const InboxFacts& facts) {
  if (facts.offers.empty() && facts.messages.empty()) return "Nothing waits for an answer.\n";
  if (facts.offers.empty()) return messages_text(facts);
  std::string out = facts.offers.size() == 1 ? "1 offer waits for an answer:\n"
                                             : std::to_string(facts.offers.size()) + " offers wait for an answer:\n";
  for (const auto& offer : facts.offers) {
    out += "  " + short_tid(offer.tid) + "  from " + peer_text(offer) + "  " + files_text(offer.file_count) + ", " +
           size_text(offer.total_bytes);
    if (offer.expires_at) out += "  " + expires_text(*offer.expires_at, facts.now_ms);
    out += "\n";
    if (const auto names = names_text(offer); !names.empty()) out += "            " + names + "\n";
  }
  out += "Accept with: peerdrop accept <id>   Decline with: peerdrop decline <id>\n";
  for (const auto& offer : facts.offers) {
    if (offer.tid.starts_with('-')) {
      out += "(An id that starts with - goes after --: peerdrop accept " + tid_argument(offer.tid) + ")\n";
      break;
    }
  }
  return out + messages_text(facts);
}

boost::json::object inbox_json(const InboxFacts& facts) {
  boost::json::array offers;
  for (const auto& offer : facts.offers) offers.emplace_back(offer.json);
  boost::json::array messages;
  for (const auto& message : facts.messages) messages.emplace_back(message.json);
  return boost::json::object{{"offers", std::move(offers)}, {"messages", std::move(messages)}};
}

}  // namespace peerdrop::cli
