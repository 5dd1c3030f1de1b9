#include "cli/progress_meter.hpp"

namespace peerdrop::cli {

void ProgressMeter::add(TimePoint now, std::uint64_t done_bytes) {
  if (!samples_.empty() && (done_bytes < samples_.back().done_bytes || now < samples_.back().at)) samples_.clear();
  samples_.push_back({now, done_bytes});
  // Keep one sample at or before the window's start, so the window is always covered.
  while (samples_.size() > 2 && now - samples_[1].at >= kWindow) samples_.pop_front();
}

std::optional<double> ProgressMeter::bytes_per_second() const {
  if (samples_.size() < 2) return std::nullopt;
  const auto& first = samples_.front();
  const auto& last = samples_.back();
  const auto span = last.at - first.at;
  if (span < kMinSpan) return std::nullopt;
  const auto seconds = std::chrono::duration<double>(span).count();
  return static_cast<double>(last.done_bytes - first.done_bytes) / seconds;
}

}  // namespace peerdrop::cli
