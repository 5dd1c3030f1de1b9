#include "core/fd_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "core/errc.hpp"
#include "core/unique_fd.hpp"

namespace peerdrop::core {

namespace {

boost::system::error_code errno_code(int error) { return {error, boost::system::system_category()}; }

// Calls `io(done)` until `size` bytes are done, it reports 0 (the end of a
// file, or a device that takes nothing) or an error other than EINTR.
// `progress`, if given, is how many were done, also when an error stopped it.
template <typename Io>
boost::system::result<std::size_t> repeat(std::size_t size, Io io, std::size_t* progress = nullptr) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = io(done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      if (progress) *progress = done;
      return errno_code(errno);
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  if (progress) *progress = done;
  return done;
}

boost::system::error_code all_written(const boost::system::result<std::size_t>& done, std::size_t size) {
  if (!done) return done.error();
  return *done == size ? boost::system::error_code() : errno_code(EIO);
}

}  // namespace

boost::system::error_code write_all(int fd, std::span<const std::byte> bytes) {
  return all_written(repeat(bytes.size(), [&](std::size_t done) {
                       return ::write(fd, bytes.data() + done, bytes.size() - done);
                     }),
                     bytes.size());
}

boost::system::error_code write_all(int fd, std::string_view text) {
  return write_all(fd, std::as_bytes(std::span(text.data(), text.size())));
}

boost::system::error_code pwrite_all(int fd, std::span<const std::byte> bytes, off_t offset, std::size_t* written) {
  return all_written(repeat(
                         bytes.size(),
                         [&](std::size_t done) {
                           return ::pwrite(fd, bytes.data() + done, bytes.size() - done, offset + static_cast<off_t>(done));
                         },
                         written),
                     bytes.size());
}

boost::system::result<std::size_t> read_all(int fd, std::span<std::byte> buffer) {
  return repeat(buffer.size(),
                [&](std::size_t done) { return ::read(fd, buffer.data() + done, buffer.size() - done); });
}

boost::system::result<std::size_t> pread_all(int fd, std::span<std::byte> buffer, off_t offset) {
  return repeat(buffer.size(), [&](std::size_t done) {
    return ::pread(fd, buffer.data() + done, buffer.size() - done, offset + static_cast<off_t>(done));
  });
}

boost::system::error_code write_private_file(const std::filesystem::path& path, std::span<const std::byte> bytes) {
  const auto tmp = path.string() + ".tmp";
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) return errno_code(errno);
  auto ec = ::fchmod(fd.get(), 0600) == 0 ? write_all(fd.get(), bytes) : errno_code(errno);  // O_TRUNC keeps an old mode
  if (!ec && ::fsync(fd.get()) != 0) ec = errno_code(errno);
  fd.reset();
  if (!ec && ::rename(tmp.c_str(), path.c_str()) != 0) ec = errno_code(errno);
  if (ec) ::unlink(tmp.c_str());
  return ec;
}

boost::system::result<std::string> read_small_file(const std::filesystem::path& path, std::size_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!fd) return errno_code(errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_code(errno);
  if (!S_ISREG(st.st_mode)) return make_error_code(Errc::malformed);
  std::string text(max_bytes + 1, '\0');  // one byte more tells a file that is too large
  const auto read = read_all(fd.get(), std::as_writable_bytes(std::span(text.data(), text.size())));
  if (!read) return read.error();
  if (*read > max_bytes) return make_error_code(Errc::too_large);
  text.resize(*read);
  return text;
}

}  // namespace peerdrop::core
