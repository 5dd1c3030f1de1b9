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

std::string inbox_text(const InboxFacts& facts) {
  if (facts.offers.empty()) return "Nothing waits for an answer.\n";
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
  return out;
}

boost::json::object inbox_json(const InboxFacts& facts) {
  boost::json::array offers;
  for (const auto& offer : facts.offers) offers.emplace_back(offer.json);
  return boost::json::object{{"offers", std::move(offers)}};
}

}  // namespace peerdrop::cli
