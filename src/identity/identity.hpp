#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

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
  // Lends the 32-byte private seed (RFC 8032's private key) to `use`, for
  // the TLS certificate's key; the copy is wiped as soon as `use` returns.
  void with_private_seed(const std::function<void(std::span<const std::uint8_t, 32>)>& use) const;

  static bool verify(const PublicKey& key, std::span<const std::uint8_t> message,
                     std::span<const std::uint8_t, 64> signature);

  // Sealed boxes (libsodium's crypto_box_seal: an ephemeral X25519 key,
  // XSalsa20-Poly1305) to a peer's X25519 key, derived from its Ed25519 key
  // (crypto_sign_ed25519_pk_to_curve25519). Anyone may seal to a public key;
  // only its owner opens. Nothing if `recipient` is not a usable Ed25519 key.
  static constexpr std::size_t kSealOverhead = 48;  // crypto_box_SEALBYTES
  static std::optional<std::vector<std::uint8_t>> seal_to(const PublicKey& recipient,
                                                          std::span<const std::uint8_t> message);
  // Opens a box sealed to this identity (the X25519 secret key is derived
  // here and wiped after use). Nothing if it was sealed to another key, cut
  // short or altered.
  std::optional<std::vector<std::uint8_t>> open_sealed(std::span<const std::uint8_t> sealed) const;

 private:
  using SecretKey = std::array<std::uint8_t, 64>;
  Identity(const PublicKey& pk, const SecretKey& sk);

  PublicKey public_key_{};
  SecretKey secret_key_{};  // wiped on destruction
  std::string peer_id_;
};

}  // namespace peerdrop::identity
