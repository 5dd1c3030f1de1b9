#pragma once

#include <sys/types.h>

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace peerdrop::core {

// Blocking reads and writes of whole buffers on a POSIX descriptor, retried
// on EINTR and on short counts. Errors are the errno as a system error_code.

// Writes all of `bytes`.
boost::system::error_code write_all(int fd, std::span<const std::byte> bytes);
boost::system::error_code write_all(int fd, std::string_view text);
// Writes all of `bytes` at `offset` (pwrite). `written`, if given, is how
// many were written, also when an error stopped it part way.
boost::system::error_code pwrite_all(int fd, std::span<const std::byte> bytes, off_t offset,
                                     std::size_t* written = nullptr);
// Reads until `buffer` is full or the end of the file; returns how many bytes were read.
boost::system::result<std::size_t> read_all(int fd, std::span<std::byte> buffer);
// Reads at `offset` until `buffer` is full or the end of the file (pread).
boost::system::result<std::size_t> pread_all(int fd, std::span<std::byte> buffer, off_t offset);

// Replaces `path` with `bytes` through a temporary file (mode 0600, never
// through a link), synced and renamed into place: a reader sees the old file
// or the whole new one, and no other user can read it (keys, secrets).
boost::system::error_code write_private_file(const std::filesystem::path& path, std::span<const std::byte> bytes);

// The whole of a small regular file, never through a link at its last
// component and never waiting on a FIFO or device: the errno of opening it,
// Errc::malformed when it is not a regular file, Errc::too_large when it
// holds more than `max_bytes` (nothing more than that is read).
boost::system::result<std::string> read_small_file(const std::filesystem::path& path, std::size_t max_bytes);

}  // namespace peerdrop::core
