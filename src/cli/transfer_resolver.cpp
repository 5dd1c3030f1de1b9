#include "cli/transfer_resolver.hpp"

#include "cli/terminal_text.hpp"
#include "cli/transfer_text.hpp"

namespace peerdrop::cli {
namespace {

constexpr std::size_t kMaxListed = 20;

}  // namespace

std::string TransferResolver::candidate_line(const TransferRecord& transfer) {
  return "  " + short_tid(transfer.tid) + "  " + (transfer.incoming ? "from " : "to ") + peer_text(transfer) + "  " +
         files_text(transfer.file_count) + ", " + size_text(transfer.total_bytes) + "  " + transfer.state;
}

std::string TransferResolver::listing(const std::vector<const TransferRecord*>& transfers) const {
  std::string out;
  for (std::size_t i = 0; i < transfers.size() && i < kMaxListed; ++i) out += "\n" + candidate_line(*transfers[i]);
  if (transfers.size() > kMaxListed) out += "\n  and " + std::to_string(transfers.size() - kMaxListed) + " more";
  return out;
}

Outcome<TransferRecord> TransferResolver::resolve(std::string_view query) const {
  const auto quoted = "\"" + printable(query) + "\"";
  if (query.size() < kMinPrefix) {
    return usage("name " + std::string(noun_ == "offer" ? "an " : "a ") + noun_ +
                 " by its id, or the first 4 or more characters of it (" + quoted + " is too short)" +
                 (noun_ == "offer" ? "; peerdrop inbox lists them" : "; peerdrop status lists them"));
  }
  std::vector<const TransferRecord*> found;
  for (const auto& transfer : transfers_) {
    if (transfer.tid.starts_with(query)) found.push_back(&transfer);
  }
  if (found.size() == 1) return *found.front();
  if (found.size() > 1) {
    return usage(quoted + " could be " + std::to_string(found.size()) + " " + noun_ +
                 "s; give more of its id:" + listing(found));
  }
  const auto message = "no " + noun_ + " here has an id that starts with " + quoted;
  if (transfers_.empty()) {
    return usage(message + (noun_ == "offer" ? "; nothing waits for an answer (it may have been answered, have "
                                               "expired or been cancelled)"
                                             : "; there are no transfers"));
  }
  std::vector<const TransferRecord*> all;
  for (const auto& transfer : transfers_) all.push_back(&transfer);
  return usage(message + "; the " + noun_ + "s are:" + listing(all));
}

}  // namespace peerdrop::cli
