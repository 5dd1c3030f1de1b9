#include "transfer/received_file_json.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace peerdrop::transfer {

boost::json::value to_json(const ReceivedFile& file) {
  return boost::json::object{{"name", file.name},
                             {"size", static_cast<std::int64_t>(file.size)},
                             {"sha256", file.sha256},
                             {"from", file.from},
                             {"receivedAt", file.received_at}};
}

boost::json::value to_json(const std::vector<ReceivedFile>& files) {
  boost::json::array out;
  out.reserve(files.size());
  for (const auto& file : files) out.push_back(to_json(file));
  return out;
}

}  // namespace peerdrop::transfer
