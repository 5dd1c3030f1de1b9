#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "transfer/transfer_config.hpp"
#include "transfer/transfer_service.hpp"

namespace peerdrop::transfer {

// TransferService's time-based work on the event loop: a checkpoint of a
// stream that stopped between two checkpoints, and the sweep of old partial
// files (at start, then every sweep_interval). The timers only decide when;
// the service decides what.
class TransferTimers {
 public:
  TransferTimers(boost::asio::any_io_executor executor, TransferService& service, const TransferConfig& config);

  void start();
  void stop();
  // After bytes were written: checkpoints them if no more come within the checkpoint interval.
  void arm_checkpoint();

 private:
  void sweep_later();

  TransferService& service_;
  const TransferConfig& config_;
  boost::asio::steady_timer checkpoint_timer_;
  boost::asio::steady_timer sweep_timer_;
  bool checkpoint_armed_ = false;
  bool stopped_ = false;
};

}  // namespace peerdrop::transfer
