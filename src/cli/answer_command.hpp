#pragma once

#include <string>

#include "cli/command_context.hpp"
#include "cli/failure.hpp"
#include "cli/transfer_record.hpp"

namespace peerdrop::cli {

// `peerdrop accept OFFER|--all` and `peerdrop decline OFFER`: answers offers
// that wait here (GET /api/offers), as "command line". OFFER is an offer's
// id or its first 4 or more characters (TransferResolver).
class AnswerCommand {
 public:
  // `offer` is empty with `all`.
  AnswerCommand(std::string offer, bool all, bool accept) : offer_(std::move(offer)), all_(all), accept_(accept) {}

  Outcome<> run(const CommandContext& context) const;

 private:
  // Answers one offer and says so on `out`.
  Outcome<> answer(const CommandContext& context, const TransferRecord& offer) const;

  std::string offer_;
  bool all_;
  bool accept_;
};

}  // namespace peerdrop::cli
