#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cli/failure.hpp"
#include "cli/transfer_record.hpp"

namespace peerdrop::cli {

// Which transfer an OFFER or TRANSFER argument means: its id, or the start
// of it (at least kMinPrefix characters, case counts: ids are base64url),
// among the transfers the daemon listed. None, or more than one, is a usage
// error that lists the candidates, so the person can give more of the id.
class TransferResolver {
 public:
  static constexpr std::size_t kMinPrefix = 4;

  // `noun` is what the list holds, for the messages: "offer" or "transfer".
  TransferResolver(std::vector<TransferRecord> transfers, std::string noun)
      : transfers_(std::move(transfers)), noun_(std::move(noun)) {}

  Outcome<TransferRecord> resolve(std::string_view query) const;

  // "  K3F9XZ2A  from bob (ABCDEFG)  3 files, 50.0 MiB  offered": one line of a listing.
  static std::string candidate_line(const TransferRecord& transfer);

 private:
  std::string listing(const std::vector<const TransferRecord*>& transfers) const;

  std::vector<TransferRecord> transfers_;
  std::string noun_;
};

}  // namespace peerdrop::cli
