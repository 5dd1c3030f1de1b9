#include "transfer/io_error.hpp"

#include <cerrno>

#include "core/errc.hpp"

namespace peerdrop::transfer {

boost::system::error_code io_error(int error_number) {
  if (error_number == ENOSPC || error_number == EDQUOT) return core::make_error_code(core::Errc::disk_full);
  return {error_number, boost::system::system_category()};
}

}  // namespace peerdrop::transfer
