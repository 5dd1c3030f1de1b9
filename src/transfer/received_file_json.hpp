#pragma once

#include <boost/json/value.hpp>
#include <vector>

#include "transfer/received_file.hpp"

namespace peerdrop::transfer {

// {"name":"photos/a.jpg","size":123,"sha256":"…","from":"<peer id>","receivedAt":1764000000000}
boost::json::value to_json(const ReceivedFile& file);
boost::json::value to_json(const std::vector<ReceivedFile>& files);

}  // namespace peerdrop::transfer
