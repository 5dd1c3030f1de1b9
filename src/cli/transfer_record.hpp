#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerdrop::cli {

// One file of a transfer: its path at the sender, its size, and where it
// landed at the receiver once it did (GET /api/transfers/TID only).
struct TransferFile {
  std::string path;
  std::uint64_t size = 0;
  std::string name;  // empty until it landed
};

// A transfer of the daemon's lane as the control API describes it
// (docs/protocol.md, "Control API: transfers"), in either direction.
struct TransferRecord {
  std::string tid;        // 22 to 32 of [A-Za-z0-9_-]: safe in a URL path
  bool incoming = false;  // else outgoing
  std::string peer;       // the other daemon's id
  std::string peer_name;  // its name as this daemon knows it (may be empty)
  std::string state;      // offered, accepted, done, declined, expired, cancelled, failed
  std::uint64_t file_count = 0;
  std::uint64_t total_bytes = 0;
  std::uint64_t done_bytes = 0;
  std::uint64_t files_landed = 0;
  std::int64_t created_at = 0;  // Unix ms
  std::int64_t updated_at = 0;
  std::optional<std::int64_t> expires_at;  // while offered
  std::string code;                        // why it ended, unless done: declined, expired, disk_full, …
  std::string reason;                      // the same in a sentence
  std::string answered_by;                 // who accepted or declined: trust, command line, …
  std::string stalled;                     // why bytes do not flow now; empty while they do
  std::vector<TransferFile> files;         // GET /api/transfers/TID: all; GET /api/offers: the first 100
  boost::json::object json;                // as the daemon sent it: what --json prints

  // Still going: offered or accepted.
  bool active() const { return state == "offered" || state == "accepted"; }
};

// Whether `text` can be a transfer id (and so goes into a URL path as it is).
bool looks_like_transfer_id(std::string_view text);

// GET /api/transfers/TID's answer (or POST /api/transfers's); nothing unless
// every field has its documented type, the tid and peer look like what they
// are, the direction and state are known words and the byte counts add up
// (done_bytes no more than total_bytes). Fields it does not know are ignored.
std::optional<TransferRecord> parse_transfer_record(std::string_view body);

// GET /api/transfers's {"transfers":[…]} (key "transfers") or GET
// /api/offers's {"offers":[…]} (key "offers"): nothing unless each is a transfer.
std::optional<std::vector<TransferRecord>> parse_transfer_records(std::string_view body, std::string_view key);

}  // namespace peerdrop::cli
