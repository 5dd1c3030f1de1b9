#include "transfer/partial_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>
#include <vector>

#include "core/errc.hpp"
#include "core/fd_io.hpp"
#include "transfer/io_error.hpp"

namespace peerdrop::transfer {
namespace {

using core::Errc;
using Digest = Sha256::Digest;

constexpr std::size_t kReadBackBytes = 1024 * 1024;  // buffer for re-hashing a resumed file

bool parse_digest(std::string_view hex, Digest& out) {
  if (hex.size() != 2 * out.size()) return false;
  std::size_t length = 0;
  const char* end = nullptr;
  return sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &length, &end) == 0 &&
         length == out.size() && end == hex.data() + hex.size();
}

}  // namespace

PartialFile::PartialFile(DownloadFolder folder, core::UniqueFd file, std::string name, std::uint64_t max_size)
    : folder_(std::move(folder)), file_(std::move(file)), name_(std::move(name)), max_size_(max_size) {}

bool PartialFile::is_valid_transfer_id(std::string_view transfer_id) {
  return !transfer_id.empty() && transfer_id.size() <= kMaxTransferIdBytes &&
         std::all_of(transfer_id.begin(), transfer_id.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
         });
}

std::string PartialFile::partial_name(std::string_view transfer_id, std::uint32_t index) {
  return std::string(transfer_id) + "-" + std::to_string(index) + ".part";
}

boost::system::result<std::uint64_t> PartialFile::resumable_size(const DownloadFolder& folder,
                                                                 std::string_view transfer_id, std::uint32_t index,
                                                                 std::uint64_t max_size) {
  if (!is_valid_transfer_id(transfer_id)) return core::make_error_code(Errc::malformed);
  const auto name = partial_name(transfer_id, index);
  core::UniqueFd file(::openat(folder.partial_dir_fd(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!file) {
    if (errno == ENOENT) return std::uint64_t{0};
    return errno == ELOOP ? core::make_error_code(Errc::path_blocked) : io_error(errno);
  }
  struct stat status {};
  if (::fstat(file.get(), &status) != 0) return io_error(errno);
  if (!S_ISREG(status.st_mode)) return core::make_error_code(Errc::path_blocked);
  const auto size = static_cast<std::uint64_t>(status.st_size);
  if (size == 0 || size > max_size) return std::uint64_t{0};
  // What is offered for resuming must be on disk (open() syncs it again, which is then cheap).
  if (::fdatasync(file.get()) != 0) return io_error(errno);
  return size;
}

boost::system::result<std::size_t> PartialFile::discard_transfer(const DownloadFolder& folder,
                                                                 std::string_view transfer_id) {
  if (!is_valid_transfer_id(transfer_id)) return core::make_error_code(Errc::malformed);
  core::UniqueFd listing(::openat(folder.partial_dir_fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!listing) return io_error(errno);
  const auto close_dir = [](DIR* dir) { ::closedir(dir); };
  std::unique_ptr<DIR, decltype(close_dir)> dir(::fdopendir(listing.get()), close_dir);
  if (!dir) return io_error(errno);
  const int dir_fd = listing.release();  // closedir closes it

  const std::string prefix = std::string(transfer_id) + "-";
  std::size_t removed = 0;
  while (const dirent* entry = ::readdir(dir.get())) {
    const std::string_view name(entry->d_name);
    if (!name.starts_with(prefix) || !name.ends_with(".part")) continue;
    // "<id>-<digits>.part" only: another id may start like this one and a dash.
    const auto digits = name.substr(prefix.size(), name.size() - prefix.size() - 5);
    if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    core::UniqueFd file(::openat(dir_fd, entry->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!file) continue;                                         // a link, or gone: not ours to remove
    if (::flock(file.get(), LOCK_EX | LOCK_NB) != 0) continue;  // open by a transfer
    if (::unlinkat(dir_fd, entry->d_name, 0) == 0) ++removed;
  }
  return removed;
}

boost::system::result<PartialFile> PartialFile::open(const DownloadFolder& folder, std::string_view transfer_id,
                                                     std::uint32_t index, std::uint64_t max_size) {
  if (!is_valid_transfer_id(transfer_id)) return core::make_error_code(Errc::malformed);
  auto own_folder = folder.duplicate();
  if (!own_folder) return own_folder.error();
  auto name = partial_name(transfer_id, index);
  // 0666 less the umask: the partial folder (0700) keeps others out until the
  // file moves to its final name, where it gets the usual permissions.
  core::UniqueFd file(::openat(own_folder->partial_dir_fd(), name.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666));
  if (!file) return errno == ELOOP ? core::make_error_code(Errc::path_blocked) : io_error(errno);
  if (::flock(file.get(), LOCK_EX | LOCK_NB) != 0) {
    return errno == EWOULDBLOCK ? core::make_error_code(Errc::in_use) : io_error(errno);
  }
  PartialFile partial(std::move(*own_folder), std::move(file), std::move(name), max_size);
  if (const auto ec = partial.resume()) return ec;
  return partial;
}

boost::system::error_code PartialFile::resume() {
  struct stat status {};
  if (::fstat(file_.get(), &status) != 0) return io_error(errno);
  if (!S_ISREG(status.st_mode)) return core::make_error_code(Errc::path_blocked);
  auto size = static_cast<std::uint64_t>(status.st_size);
  if (size == 0) return {};
  if (size > max_size_) {
    if (::ftruncate(file_.get(), 0) != 0) return io_error(errno);
    return {};
  }
  std::vector<std::uint8_t> buffer(static_cast<std::size_t>(std::min<std::uint64_t>(size, kReadBackBytes)));
  std::uint64_t read = 0;
  while (read < size) {
    const auto wanted = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), size - read));
    const auto n = core::pread_all(file_.get(), std::as_writable_bytes(std::span(buffer.data(), wanted)),
                                   static_cast<off_t>(read));
    if (!n) return io_error(n.error().value());
    hash_.update(std::span(buffer.data(), *n));
    read += *n;
    if (*n < wanted) break;  // shorter than fstat said (someone truncated it): resume from what is there
  }
  // What is in the file now is what we resume from, so it must be on disk before it is acknowledged.
  if (::fdatasync(file_.get()) != 0 || ::fsync(folder_.partial_dir_fd()) != 0) return io_error(errno);
  folder_synced_ = true;
  received_ = durable_ = read;
  return {};
}

boost::system::error_code PartialFile::write(std::uint64_t offset, std::span<const std::uint8_t> bytes) {
  if (!is_open()) return core::make_error_code(Errc::file_closed);
  if (offset > received_) return core::make_error_code(Errc::out_of_order);
  if (bytes.size() > max_size_ - offset) return core::make_error_code(Errc::too_large);
  if (offset + bytes.size() <= received_) return {};  // all of it was received before
  const auto rest = bytes.subspan(static_cast<std::size_t>(received_ - offset));
  std::size_t written = 0;
  const auto ec = core::pwrite_all(file_.get(), std::as_bytes(rest), static_cast<off_t>(received_), &written);
  hash_.update(rest.first(written));  // what was written counts, also before an error
  received_ += written;
  return ec ? io_error(ec.value()) : boost::system::error_code();
}

boost::system::result<std::uint64_t> PartialFile::checkpoint() {
  if (!is_open()) return core::make_error_code(Errc::file_closed);
  if (durable_ < received_ && ::fdatasync(file_.get()) != 0) return io_error(errno);
  if (!folder_synced_) {
    if (::fsync(folder_.partial_dir_fd()) != 0) return io_error(errno);
    folder_synced_ = true;
  }
  durable_ = received_;
  return durable_;
}

boost::system::result<std::string> PartialFile::finish(std::uint64_t expected_size,
                                                       std::string_view expected_sha256_hex,
                                                       const SanitizedPath& to) {
  if (!is_open()) return core::make_error_code(Errc::file_closed);
  Digest expected{};
  if (!parse_digest(expected_sha256_hex, expected)) return core::make_error_code(Errc::malformed);
  if (received_ != expected_size) return core::make_error_code(Errc::size_mismatch);
  // digest() finishes a copy: the running hash stays usable if the move fails.
  if (hash_.digest() != expected) {
    ::unlinkat(folder_.partial_dir_fd(), name_.c_str(), 0);  // if this fails, the sweeper removes it in time
    file_.reset();
    return core::make_error_code(Errc::hash_mismatch);
  }
  // The bytes must be on disk before the file is visible under its name. The
  // partial folder's entry need not be: the move replaces it, and the move is
  // made durable by syncing the folder it lands in (two syncs a file, which
  // bounds how many small files land per second).
  if (durable_ < received_ && ::fdatasync(file_.get()) != 0) return io_error(errno);
  durable_ = received_;
  auto placed = folder_.move_into_place(name_, to);
  if (!placed) return placed.error();
  file_.reset();
  return placed;
}

boost::system::error_code PartialFile::discard() {
  if (!is_open()) return core::make_error_code(Errc::file_closed);
  if (::unlinkat(folder_.partial_dir_fd(), name_.c_str(), 0) != 0 && errno != ENOENT) return io_error(errno);
  file_.reset();
  return {};
}

}  // namespace peerdrop::transfer
