#include "transfer/transfer_timers.hpp"

namespace peerdrop::transfer {

TransferTimers::TransferTimers(boost::asio::any_io_executor executor, TransferService& service,
                               const TransferConfig& config)
    : service_(service), config_(config), checkpoint_timer_(executor), sweep_timer_(executor) {}

void TransferTimers::start() {
  service_.sweep();
  sweep_later();
}

void TransferTimers::stop() {
  stopped_ = true;
  checkpoint_timer_.cancel();
  sweep_timer_.cancel();
}

void TransferTimers::arm_checkpoint() {
  if (checkpoint_armed_ || stopped_) return;
  const auto next = service_.next_checkpoint();
  if (!next) return;
  checkpoint_armed_ = true;
  checkpoint_timer_.expires_at(*next);
  checkpoint_timer_.async_wait([this](const boost::system::error_code& ec) {
    checkpoint_armed_ = false;
    if (ec || stopped_) return;
    service_.checkpoint_due();
    arm_checkpoint();
  });
}

void TransferTimers::sweep_later() {
  if (stopped_) return;
  sweep_timer_.expires_after(config_.sweep_interval);
  sweep_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    service_.sweep();
    sweep_later();
  });
}

}  // namespace peerdrop::transfer
