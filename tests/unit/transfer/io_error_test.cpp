#include "transfer/io_error.hpp"

#include <gtest/gtest.h>

#include <cerrno>

#include "core/errc.hpp"

namespace peerdrop::transfer {
namespace {

TEST(IoError, NamesAFullDisk) {
  EXPECT_EQ(io_error(ENOSPC), core::Errc::disk_full);
  EXPECT_EQ(io_error(EDQUOT), core::Errc::disk_full);
  EXPECT_EQ(io_error(ENOSPC).message(), "no space left in the download folder");
}

TEST(IoError, KeepsOtherErrors) {
  EXPECT_EQ(io_error(EACCES), boost::system::errc::permission_denied);
  EXPECT_EQ(io_error(EIO).value(), EIO);
}

}  // namespace
}  // namespace peerdrop::transfer
