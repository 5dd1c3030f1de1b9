#include "cli/cancel_command.hpp"

#include "cli/transfer_resolver.hpp"
#include "cli/transfer_text.hpp"

namespace peerdrop::cli {

Outcome<> CancelCommand::run(const CommandContext& context) const {
  auto transfers = context.daemon.transfers();
  if (!transfers) return transfers.error();
  const auto transfer = TransferResolver(std::move(*transfers), "transfer").resolve(transfer_);
  if (!transfer) return transfer.error();
  const auto what = "the transfer " + short_tid(transfer->tid) + " of " + files_text(transfer->file_count) + " (" +
                    size_text(transfer->total_bytes) + ") " + (transfer->incoming ? "from " : "to ") +
                    peer_text(*transfer);
  if (!transfer->active()) return failed(what + " already ended (" + transfer->state + "); there is nothing to cancel");
  const auto done = context.daemon.cancel(transfer->tid);
  if (!done) {
    if (done.error().cause != "not_found") return done.error();
    return failed(what + " ended just now; there is nothing to cancel");
  }
  context.out << "Cancelled " << what << "; " << peer_word(*transfer) << " is told.\n";
  return {};
}

}  // namespace peerdrop::cli
