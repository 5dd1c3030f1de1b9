// Signaling outbox under load: 100,000 queued ICE-candidate-sized messages
// over 50 recipients, as after a burst of connection attempts to peers that
// do not answer. Reports enqueue rate, memory, reload time and acknowledge
// rate. Usage: outbox_bench [messages] [recipients]
#include <stdlib.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "signaling/outbox.hpp"
#include "store/sqlite_database.hpp"

namespace {

using peerdrop::signaling::Outbox;
using Seconds = std::chrono::duration<double>;

// Process CPU time: on a shared machine the wall-clock rate depends on the neighbours.
double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

// A field of /proc/self/status in KiB (VmRSS: now, VmHWM: peak).
long status_kib(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

// A trickled ICE candidate as the UI sends it, padded to about 300 bytes.
std::string candidate_payload(std::size_t i) {
  std::string payload = R"({"candidate":"candidate:842163049 1 udp 1677729535 203.0.113.)" + std::to_string(i % 250) +
                        " " + std::to_string(40000 + i % 20000) +
                        R"( typ srflx raddr 198.51.100.10 rport 54321 generation 0 ufrag EsAw network-cost 999",)"
                        R"("sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"EsAw","pad":")";
  payload.resize(std::max<std::size_t>(payload.size(), 298), 'x');
  return payload + "\"}";
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t messages = argc > 1 ? std::stoul(argv[1]) : 100'000;
  const std::size_t recipient_count = argc > 2 ? std::stoul(argv[2]) : 50;

  std::string pattern = (std::filesystem::temp_directory_path() / "peerdrop-outbox-bench-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::filesystem::path dir = pattern;
  const auto db_path = dir / "peerdrop.db";

  std::vector<std::string> recipients;
  for (std::size_t i = 0; i < recipient_count; ++i) {
    recipients.push_back("PEER" + std::to_string(1000000 + i) + "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKL");
  }
  std::vector<std::string> payloads;
  for (std::size_t i = 0; i < 1000; ++i) payloads.push_back(candidate_payload(i));

  // 100,000 over 50 peers is 2,000 per peer: above the default per-peer cap,
  // which this benchmark raises so that every message is held at once.
  Outbox::Limits limits;
  limits.max_messages_per_peer = messages / recipient_count + 1;
  limits.max_bytes_per_peer = 64 << 20;
  limits.max_messages = messages;
  limits.max_bytes = 256 << 20;
  peerdrop::core::SystemClock clock;

  std::optional<peerdrop::store::SqliteDatabase> db;
  std::optional<Outbox> outbox;
  db.emplace(db_path);
  outbox.emplace(*db, clock, limits);
  const long rss_before = status_kib("VmRSS");
  const long hwm_before = status_kib("VmHWM");

  std::size_t payload_bytes = 0;
  std::size_t refused = 0;
  const double enqueue_cpu_start = cpu_seconds();
  const auto enqueue_start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < messages; ++i) {
    const auto& payload = payloads[i % payloads.size()];
    payload_bytes += payload.size();
    if (!outbox->enqueue(recipients[i % recipient_count], "ice_candidate", payload, std::chrono::minutes(10), i)) {
      ++refused;
    }
  }
  const Seconds enqueue_time = std::chrono::steady_clock::now() - enqueue_start;
  const double enqueue_cpu = cpu_seconds() - enqueue_cpu_start;
  const long rss_after = status_kib("VmRSS");
  const long hwm_after = status_kib("VmHWM");

  std::size_t pending_read = 0;
  const auto pending_start = std::chrono::steady_clock::now();
  for (const auto& recipient : recipients) pending_read += outbox->pending(recipient, 64, 64 * 1024).size();
  const Seconds pending_time = std::chrono::steady_clock::now() - pending_start;

  outbox.reset();
  db.reset();
  const auto load_start = std::chrono::steady_clock::now();
  db.emplace(db_path);
  outbox.emplace(*db, clock, limits);
  const Seconds load_time = std::chrono::steady_clock::now() - load_start;
  const std::size_t loaded = outbox->size();

  // Acknowledged as a receiver would: every 10 messages, per recipient.
  std::size_t acknowledged = 0;
  std::size_t ack_calls = 0;
  const double ack_cpu_start = cpu_seconds();
  const auto ack_start = std::chrono::steady_clock::now();
  const std::uint64_t per_recipient = messages / recipient_count;
  for (std::uint64_t up_to = 10; up_to < per_recipient + 10; up_to += 10) {
    for (const auto& recipient : recipients) {
      acknowledged += outbox->acknowledge(recipient, up_to);
      ++ack_calls;
    }
  }
  const Seconds ack_time = std::chrono::steady_clock::now() - ack_start;
  const double ack_cpu = cpu_seconds() - ack_cpu_start;
  const auto db_size = std::filesystem::file_size(db_path);

  outbox.reset();
  db.reset();
  std::filesystem::remove_all(dir);

  const double entries = static_cast<double>(messages - refused);
  std::printf("outbox: %zu messages (%.0f bytes payload on average) to %zu recipients\n", messages,
              static_cast<double>(payload_bytes) / static_cast<double>(messages), recipient_count);
  std::printf("  enqueue:     %.0f messages/s (%.2f s wall, %.2f s CPU: %.0f messages per CPU second), %zu refused\n",
              entries / enqueue_time.count(), enqueue_time.count(), enqueue_cpu, entries / enqueue_cpu, refused);
  std::printf("  memory:      VmRSS +%.1f MiB (%.0f bytes per message), peak VmHWM +%.1f MiB\n",
              static_cast<double>(rss_after - rss_before) / 1024.0,
              static_cast<double>(rss_after - rss_before) * 1024.0 / entries,
              static_cast<double>(hwm_after - hwm_before) / 1024.0);
  std::printf("  pending:     %zu entries read in %.2f ms\n", pending_read, pending_time.count() * 1000.0);
  std::printf("  reload:      %zu entries in %.2f s (restart)\n", loaded, load_time.count());
  std::printf("  acknowledge: %.0f messages/s, %.0f calls/s (%zu calls of 10, %.2f s wall, %.2f s CPU)\n",
              static_cast<double>(acknowledged) / ack_time.count(), static_cast<double>(ack_calls) / ack_time.count(),
              ack_calls, ack_time.count(), ack_cpu);
  std::printf("  database:    %.1f MiB after acknowledging everything (WAL mode)\n",
              static_cast<double>(db_size) / (1024.0 * 1024.0));
  return refused == 0 && acknowledged == messages ? 0 : 1;
}
