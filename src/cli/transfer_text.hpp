#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "cli/transfer_record.hpp"

namespace peerdrop::cli {

// How `peerdrop` words sizes, speeds, times and transfers for a person.

// "512 B", "1.5 KiB", "50.0 MiB", "1.2 GiB" (binary units, one decimal from KiB on).
std::string size_text(std::uint64_t bytes);
// "41.7 MiB/s"
std::string rate_text(double bytes_per_second);
// How long something took: "0.4 s", "12.3 s", "2 min 5 s", "1 h 2 min".
std::string duration_text(std::chrono::milliseconds elapsed);
// How long until it is done, as a clock: "0:07", "12:05", "1:02:03".
std::string eta_text(std::chrono::seconds left);
// "1 file", "3 files"
std::string files_text(std::uint64_t count);
// The transfer's id as people type it: its first 8 characters.
std::string short_tid(const std::string& tid);
// The short id as a command's argument: "K3F9XZ2A", or "-- -AbC1234x" for one that
// starts with "-" (which would read as an option).
std::string tid_argument(const std::string& tid);
// Who is at the other end: "bob (ABCDEFG)", or "ABCDEFG…" for a peer without a name; printable.
std::string peer_text(const TransferRecord& transfer);
// Just the peer's name when it has one, else its short id; printable.
std::string peer_word(const TransferRecord& transfer);

// Whole percents done, rounded down (100 only once every byte is there; 100 for nothing to do).
int percent_done(std::uint64_t done_bytes, std::uint64_t total_bytes);

// The progress line of a transfer (no line end, under 72 columns, so a
// terminal never wraps it), e.g.
// "[####      ]  42%  21.0 MiB of 50.0 MiB  12.3 MiB/s  ETA 0:03"
// without the speed and ETA while there is no speed yet.
std::string progress_line(std::uint64_t done_bytes, std::uint64_t total_bytes, std::optional<double> bytes_per_second);

}  // namespace peerdrop::cli
