#pragma once

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <string>

namespace peerdrop::testing {

inline const std::string kBobId = "BOBBBBBBAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
inline const std::string kTid = "K3F9XZ2Aq-bcdefghij_kl";  // 22 characters of base64url

// A transfer as the daemon's control API describes it (3 files, 50 MiB to bob, offered),
// with `changes` applied: a field set to null is left out.
inline boost::json::object transfer_object(const boost::json::object& changes = {}) {
  boost::json::object transfer{{"tid", kTid},
                               {"direction", "outgoing"},
                               {"peer", kBobId},
                               {"peer_name", "bob"},
                               {"state", "offered"},
                               {"file_count", 3},
                               {"total_bytes", 50 * 1024 * 1024},
                               {"done_bytes", 0},
                               {"files_landed", 0},
                               {"created_at", 1'764'000'000'000},
                               {"updated_at", 1'764'000'000'000},
                               {"expires_at", 1'764'000'600'000}};
  for (const auto& [key, value] : changes) {
    if (value.is_null()) {
      transfer.erase(key);
    } else {
      transfer[key] = value;
    }
  }
  return transfer;
}

inline std::string transfer_json(const boost::json::object& changes = {}) {
  return boost::json::serialize(transfer_object(changes));
}

}  // namespace peerdrop::testing
