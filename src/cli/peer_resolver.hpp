#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cli/failure.hpp"
#include "cli/peer_record.hpp"

namespace peerdrop::cli {

// Which peer a PEER argument means: a name, or the start of an id (at least
// kMinIdPrefix characters, any case). A name spelled exactly wins over the
// same name in another case. Only verified peers can be named (a handshake
// proved their key), as only they are in the UI: anyone can announce a name.
// More than one match, or none, is a usage error that lists the candidates,
// so the person can name one by its id.
class PeerResolver {
 public:
  static constexpr std::size_t kMinIdPrefix = 4;

  explicit PeerResolver(std::vector<PeerRecord> peers) : peers_(std::move(peers)) {}

  Outcome<PeerRecord> resolve(std::string_view query) const;

 private:
  // The peers `query` names among the verified peers, or among the others.
  std::vector<const PeerRecord*> matches(std::string_view query, bool verified) const;

  std::vector<PeerRecord> peers_;
};

}  // namespace peerdrop::cli
