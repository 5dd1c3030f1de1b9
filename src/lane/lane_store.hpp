#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <cstddef>
#include <vector>

#include "lane/lane_transfer.hpp"
#include "store/sqlite_database.hpp"

namespace peerdrop::lane {

// The lane's transfers in both directions, so that a restarted daemon goes
// on where it stopped (the receiver's bytes are in its partial files):
//   lane_transfers(direction, peer, tid, files JSON, state, code, reason,
//                  answered_by, created_at, expires_at, updated_at; PRIMARY KEY(direction, peer, tid))
// Finished transfers beyond the newest `max_finished` are dropped.
class LaneStore {
 public:
  LaneStore(store::SqliteDatabase& db, std::size_t max_finished);  // creates the table (StartupError)

  // Inserts or replaces the transfer's row.
  boost::system::error_code save(const LaneTransfer& transfer);
  boost::system::result<std::vector<LaneTransfer>> load_all();

 private:
  boost::system::error_code trim();

  store::SqliteDatabase& db_;
  std::size_t max_finished_;
};

}  // namespace peerdrop::lane
