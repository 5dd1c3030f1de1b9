#include "relay/relay_secret.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "core/fd_io.hpp"
#include "core/startup_error.hpp"

namespace peerdrop::relay {
namespace {

constexpr std::size_t kHexChars = RelaySecret::kBytes * 2;

std::string errno_text() { return std::strerror(errno); }

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// Reads at most kHexChars + 2 bytes (a trailing newline is allowed, written by a person).
std::string read_small(int fd) {
  std::string out(kHexChars + 2, '\0');
  const auto got = core::read_all(fd, std::as_writable_bytes(std::span(out)));
  out.resize(got ? *got : 0);
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace

RelaySecret RelaySecret::load_or_create(const std::filesystem::path& file) {
  if (sodium_init() < 0) throw core::StartupError("libsodium failed to initialise");
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) throw core::StartupError("cannot create " + file.parent_path().string() + ": " + ec.message());
  ::chmod(file.parent_path().c_str(), 0700);

  if (const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW); fd >= 0) {
    struct stat st {};
    const bool private_file = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) == 0;
    std::string value = read_small(fd);
    ::close(fd);
    const bool valid = value.size() == kHexChars && std::all_of(value.begin(), value.end(), is_lower_hex);
    if (!valid || !private_file) {
      sodium_memzero(value.data(), value.size());
      throw core::StartupError("the TURN relay secret " + file.string() +
                               (valid ? " is readable by others (it must be mode 0600)"
                                      : " is damaged (expected 64 hex digits)") +
                               "; remove it to make a new one (credentials given out before stop working)");
    }
    return RelaySecret(std::move(value));
  } else if (errno != ENOENT) {
    throw core::StartupError("cannot read the TURN relay secret " + file.string() + ": " + errno_text());
  }

  std::array<std::uint8_t, kBytes> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::string value(kHexChars + 1, '\0');
  sodium_bin2hex(value.data(), value.size(), bytes.data(), bytes.size());
  value.resize(kHexChars);
  sodium_memzero(bytes.data(), bytes.size());
  RelaySecret secret(std::move(value));

  if (const auto ec = core::write_private_file(file, std::as_bytes(std::span(secret.value_)))) {
    throw core::StartupError("cannot write the TURN relay secret " + file.string() + ": " + ec.message());
  }
  return secret;
}

RelaySecret::RelaySecret(RelaySecret&& other) noexcept : value_(std::move(other.value_)) { other.wipe(); }

RelaySecret& RelaySecret::operator=(RelaySecret&& other) noexcept {
  if (this != &other) {
    wipe();
    value_ = std::move(other.value_);
    other.wipe();
  }
  return *this;
}

RelaySecret::~RelaySecret() { wipe(); }

void RelaySecret::wipe() {
  if (!value_.empty()) sodium_memzero(value_.data(), value_.size());
  value_.clear();
}

}  // namespace peerdrop::relay
