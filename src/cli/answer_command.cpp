#include "cli/answer_command.hpp"

#include "cli/transfer_resolver.hpp"
#include "cli/transfer_text.hpp"

namespace peerdrop::cli {

Outcome<> AnswerCommand::answer(const CommandContext& context, const TransferRecord& offer) const {
  const auto done = context.daemon.answer(offer.tid, accept_);
  const auto what = files_text(offer.file_count) + " (" + size_text(offer.total_bytes) + ") from " + peer_text(offer);
  if (!done) {
    if (done.error().cause != "not_found") return done.error();
    return failed("the offer " + short_tid(offer.tid) + " of " + what +
                  " no longer waits (answered elsewhere, expired or cancelled); peerdrop inbox lists those that do");
  }
  if (accept_) {
    context.out << "Accepted " << what << " [" << short_tid(offer.tid) << "]: peerdrop status shows the progress.\n";
  } else {
    context.out << "Declined " << what << " [" << short_tid(offer.tid) << "]; " << peer_word(offer)
                << " is told, nothing is written.\n";
  }
  return {};
}

Outcome<> AnswerCommand::run(const CommandContext& context) const {
  auto offers = context.daemon.offers();
  if (!offers) return offers.error();
  if (!all_) {
    const auto offer = TransferResolver(std::move(*offers), "offer").resolve(offer_);
    if (!offer) return offer.error();
    return answer(context, *offer);
  }
  if (offers->empty()) {
    context.out << "Nothing waits for an answer.\n";
    return {};
  }
  std::size_t missed = 0;
  for (const auto& offer : *offers) {
    const auto done = answer(context, offer);
    if (!done) {
      // The others are still answered; each one that was not is said here.
      context.err << "peerdrop: " << done.error().message << "\n";
      ++missed;
    }
  }
  if (missed == 0) return {};
  return failed(std::to_string(missed) + " of " + std::to_string(offers->size()) +
                " offers could not be accepted (see above); peerdrop inbox lists those that still wait");
}

}  // namespace peerdrop::cli
