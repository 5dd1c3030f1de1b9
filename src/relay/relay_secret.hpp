#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace peerdrop::relay {

// The managed relay's TURN REST API shared secret: 32 random bytes
// (libsodium) as 64 hex digits, made once and kept in a file of mode 0600
// (`<data-dir>/relay/secret`), so credentials stay valid across restarts.
// It goes into coturn's configuration file (0600) and into HMACs, nowhere
// else: never onto a command line, into a log or to a browser. Wiped from
// memory when destroyed.
class RelaySecret {
 public:
  static constexpr std::size_t kBytes = 32;

  // Reads the file, or creates it (and its folder, 0700) when missing.
  // Throws core::StartupError (a damaged file, no permission) with the path, never the content.
  static RelaySecret load_or_create(const std::filesystem::path& file);

  RelaySecret(RelaySecret&& other) noexcept;
  RelaySecret& operator=(RelaySecret&& other) noexcept;
  RelaySecret(const RelaySecret&) = delete;
  RelaySecret& operator=(const RelaySecret&) = delete;
  ~RelaySecret();

  std::string_view value() const { return value_; }

 private:
  explicit RelaySecret(std::string value) : value_(std::move(value)) {}
  void wipe();

  std::string value_;
};

}  // namespace peerdrop::relay
