#pragma once

#include <boost/system/error_code.hpp>

namespace peerdrop::transfer {

// The error_code for a failed system call's errno: a full disk or quota
// (ENOSPC, EDQUOT) is core::Errc::disk_full, anything else keeps its errno
// (system category, so ec.message() is strerror's sentence).
boost::system::error_code io_error(int error_number);

}  // namespace peerdrop::transfer
