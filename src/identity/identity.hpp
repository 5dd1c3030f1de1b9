#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

namespace peerdrop::identity {

using PublicKey = std::array<std::uint8_t, 32>;
using Signature = std::array<std::uint8_t, 64>;

// This daemon's Ed25519 key pair and the peer id derived from it.
class Identity {
 public:
  // Loads <data_dir>/identity.key, or creates it (mode 0600) on first start.
  // Throws core::StartupError with a clear message when the file is unusable.
  static Identity load_or_create(const std::filesystem::path& data_dir);
  // A fresh key pair that is never stored (tests, tools).
  static Identity generate();

  Identity(const Identity&) = delete;
  Identity& operator=(const Identity&) = delete;
  Identity(Identity&& other) noexcept;
  Identity& operator=(Identity&& other) noexcept;
  ~Identity();

  const PublicKey& public_key() const { return public_key_; }
  const std::string& peer_id() const { return peer_id_; }
  Signature sign(std::span<const std::uint8_t> message) const;

  static bool verify(const PublicKey& key, std::span<const std::uint8_t> message,
                     std::span<const std::uint8_t, 64> signature);

 private:
  using SecretKey = std::array<std::uint8_t, 64>;
  Identity(const PublicKey& pk, const SecretKey& sk);

  PublicKey public_key_{};
  SecretKey secret_key_{};  // wiped on destruction
  std::string peer_id_;
};

}  // namespace peerdrop::identity
