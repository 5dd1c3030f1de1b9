// The receiving daemon's write path: 512 MiB pushed through
// TransferService::receive_frame (the UI WebSocket's binary frames, 256 KiB
// each by default) into a temporary download folder, with the default
// checkpoint policy (fdatasync every 4 MiB or 500 ms), then file_finish
// (size and SHA-256 verified, moved into place). Reports MiB/s, CPU time and
// the latency of frames with and without a checkpoint: everything runs on
// the daemon's one event-loop thread, so a frame's latency is how long the
// loop is busy with it.
// Usage: transfer_write_bench [MiB] [frame KiB] [directory (default $TMPDIR)]
#include <sodium.h>
#include <stdlib.h>
#include <sys/statfs.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/logging.hpp"
#include "transfer/download_folder.hpp"
#include "transfer/file_frame.hpp"
#include "transfer/sha256.hpp"
#include "transfer/transfer_service.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using Millis = std::chrono::duration<double, std::milli>;
using Seconds = std::chrono::duration<double>;

double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

std::string file_system_of(const std::filesystem::path& dir) {
  struct statfs status {};
  if (::statfs(dir.c_str(), &status) != 0) return "?";
  switch (status.f_type) {
    case 0xEF53: return "ext4";
    case 0x01021994: return "tmpfs";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x794c7630: return "overlayfs";
    default: {
      char hex[32];
      std::snprintf(hex, sizeof hex, "0x%lx", static_cast<unsigned long>(status.f_type));
      return hex;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t total_mib = argc > 1 ? std::stoul(argv[1]) : 512;
  const std::size_t frame_kib = argc > 2 ? std::stoul(argv[2]) : 256;
  const std::filesystem::path base = argc > 3 ? std::filesystem::path(argv[3]) : std::filesystem::temp_directory_path();
  if (sodium_init() < 0 || frame_kib == 0 || frame_kib * 1024 > peerdrop::transfer::FileFrame::kMaxDataBytes) {
    std::fprintf(stderr, "usage: %s [MiB] [frame KiB, 1-1024] [directory]\n", argv[0]);
    return 2;
  }
  std::string pattern = (base / "peerdrop-transfer-bench-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::filesystem::path dir = pattern;
  const std::uint64_t total = static_cast<std::uint64_t>(total_mib) * 1024 * 1024;
  const std::size_t chunk = frame_kib * 1024;

  // One frame buffer, its offset rewritten for each frame (the hub hands the
  // service a span of its read buffer the same way: no copy in between).
  std::vector<std::uint8_t> data(chunk);
  for (std::size_t i = 0; i < chunk; ++i) data[i] = static_cast<std::uint8_t>((i * 131 + i / 4093) & 0xff);
  std::vector<std::uint8_t> frame;
  peerdrop::transfer::append_file_frame(1, 0, data, frame);

  // The sender's SHA-256, with the daemon's hash (and how fast it and libsodium's hash here, alone).
  peerdrop::transfer::Sha256 sha256;
  const auto hash_start = Clock::now();
  for (std::uint64_t offset = 0; offset < total; offset += chunk) {
    sha256.update(std::span(data.data(), std::min<std::uint64_t>(chunk, total - offset)));
  }
  const auto digest = sha256.digest();
  const Seconds hash_time = Clock::now() - hash_start;
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, digest.data(), digest.size());
  crypto_hash_sha256_state sodium_state;
  crypto_hash_sha256_init(&sodium_state);
  const auto sodium_start = Clock::now();
  for (std::uint64_t offset = 0; offset < total; offset += chunk) {
    crypto_hash_sha256_update(&sodium_state, data.data(), std::min<std::uint64_t>(chunk, total - offset));
  }
  unsigned char sodium_digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&sodium_state, sodium_digest);
  const Seconds sodium_time = Clock::now() - sodium_start;

  peerdrop::core::SystemClock clock;
  peerdrop::transfer::TransferConfig config;
  config.download_dir = dir / "PeerDrop";
  auto folder = peerdrop::transfer::DownloadFolder::open(config.download_dir);
  if (!folder) {
    std::fprintf(stderr, "cannot open %s: %s\n", config.download_dir.c_str(), folder.error().message().c_str());
    return 1;
  }
  auto logger = peerdrop::core::make_logger("bench");
  logger->set_level(spdlog::level::warn);
  std::size_t checkpoints = 0;
  peerdrop::transfer::TransferService service(
      *folder, config, clock, logger,
      {.progress = [&](const peerdrop::transfer::TransferService::Progress&) { ++checkpoints; }});
  const auto opened = service.open(1, {.peer = std::string(52, 'B'),
                                       .transfer_id = "bench_transfer_0000000001",
                                       .index = 0,
                                       .path = "bench.bin",
                                       .size = total});
  if (!opened) {
    std::fprintf(stderr, "file_open failed: %s\n", opened.error().message().c_str());
    return 1;
  }

  std::vector<double> plain_ms;
  std::vector<double> checkpoint_ms;
  const double cpu_start = cpu_seconds();
  const auto start = Clock::now();
  for (std::uint64_t offset = 0; offset < total; offset += chunk) {
    const auto length = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, total - offset));
    for (int shift = 0; shift < 8; ++shift) frame[4 + shift] = static_cast<std::uint8_t>(offset >> (56 - 8 * shift));
    const auto before = checkpoints;
    const auto frame_start = Clock::now();
    const auto result = service.receive_frame(
        1, std::span<const std::uint8_t>(frame.data(), peerdrop::transfer::FileFrame::kHeaderBytes + length));
    const Millis took = Clock::now() - frame_start;
    if (result.error) {
      std::fprintf(stderr, "frame at %llu: %s\n", static_cast<unsigned long long>(offset),
                   result.error.message().c_str());
      return 1;
    }
    (checkpoints > before ? checkpoint_ms : plain_ms).push_back(took.count());
  }
  const Seconds write_time = Clock::now() - start;
  const auto finish_start = Clock::now();
  const auto finished = service.finish(1, opened->handle, total, hex);
  const Millis finish_time = Clock::now() - finish_start;
  const Seconds total_time = Clock::now() - start;
  const double cpu = cpu_seconds() - cpu_start;
  if (!finished || finished->error) {
    std::fprintf(stderr, "file_finish failed: %s\n", (finished ? finished->error : finished.error()).message().c_str());
    return 1;
  }
  const bool placed = std::filesystem::file_size(config.download_dir / "bench.bin") == total;
  std::filesystem::remove_all(dir);

  const double mib = static_cast<double>(total) / (1024.0 * 1024.0);
  std::printf("transfer write path: %.0f MiB in %zu KiB frames into %s (%s)\n", mib, frame_kib, base.c_str(),
              file_system_of(base).c_str());
  std::printf("  frames to verified file: %.0f MiB/s (%.2f s wall, %.2f s CPU = %.1f ms CPU per MiB)\n",
              mib / total_time.count(), total_time.count(), cpu, 1000.0 * cpu / mib);
  std::printf("  frames only:             %.0f MiB/s; file_finish %.1f ms\n", mib / write_time.count(),
              finish_time.count());
  std::printf("  frames without a checkpoint (N=%zu): p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", plain_ms.size(),
              percentile(plain_ms, 0.5), percentile(plain_ms, 0.99), percentile(plain_ms, 1.0));
  std::printf("  frames with a checkpoint    (N=%zu): p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
              checkpoint_ms.size(), percentile(checkpoint_ms, 0.5), percentile(checkpoint_ms, 0.9),
              percentile(checkpoint_ms, 0.99), percentile(checkpoint_ms, 1.0));
  std::printf("  SHA-256 alone: %.0f MiB/s (OpenSSL, as the daemon), %.0f MiB/s (libsodium)\n", mib / hash_time.count(),
              mib / sodium_time.count());
  std::printf("  file in place with its full size: %s\n", placed ? "yes" : "NO");
  return placed ? 0 : 1;
}
