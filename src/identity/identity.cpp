#include "identity/identity.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/fd_io.hpp"
#include "core/startup_error.hpp"
#include "identity/peer_id.hpp"

namespace peerdrop::identity {
namespace {

constexpr const char* kKeyFile = "identity.key";

void init_sodium() {
  if (sodium_init() < 0) throw core::StartupError("libsodium failed to initialise");
}


}  // namespace

Identity::Identity(const PublicKey& pk, const SecretKey& sk)
    : public_key_(pk), secret_key_(sk), peer_id_(derive_peer_id(pk)) {}

Identity::Identity(Identity&& other) noexcept
    : public_key_(other.public_key_), secret_key_(other.secret_key_), peer_id_(std::move(other.peer_id_)) {
  sodium_memzero(other.secret_key_.data(), other.secret_key_.size());
}

Identity& Identity::operator=(Identity&& other) noexcept {
  if (this != &other) {
    public_key_ = other.public_key_;
    secret_key_ = other.secret_key_;
    peer_id_ = std::move(other.peer_id_);
    sodium_memzero(other.secret_key_.data(), other.secret_key_.size());
  }
  return *this;
}

Identity::~Identity() { sodium_memzero(secret_key_.data(), secret_key_.size()); }

void Identity::with_private_seed(const std::function<void(std::span<const std::uint8_t, 32>)>& use) const {
  std::array<std::uint8_t, 32> seed{};
  crypto_sign_ed25519_sk_to_seed(seed.data(), secret_key_.data());
  use(seed);
  sodium_memzero(seed.data(), seed.size());
}

Identity Identity::generate() {
  init_sodium();
  PublicKey pk;
  SecretKey sk;
  crypto_sign_keypair(pk.data(), sk.data());
  Identity result(pk, sk);
  sodium_memzero(sk.data(), sk.size());
  return result;
}

Identity Identity::load_or_create(const std::filesystem::path& data_dir) {
  init_sodium();
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    throw core::StartupError("cannot create data dir " + data_dir.string() + ": " + ec.message());
  }
  ::chmod(data_dir.c_str(), 0700);
  const auto path = data_dir / kKeyFile;

  if (std::filesystem::exists(path)) {
    SecretKey sk{};
    std::ifstream in(path, std::ios::binary);
    in.read(reinterpret_cast<char*>(sk.data()), static_cast<std::streamsize>(sk.size()));
    const bool complete = in.gcount() == static_cast<std::streamsize>(sk.size()) && in.peek() == EOF;
    PublicKey pk{};
    PublicKey derived{};
    if (complete) {
      crypto_sign_ed25519_sk_to_pk(pk.data(), sk.data());
      std::array<std::uint8_t, 32> seed{};
      crypto_sign_ed25519_sk_to_seed(seed.data(), sk.data());
      SecretKey check{};
      crypto_sign_seed_keypair(derived.data(), check.data(), seed.data());
      sodium_memzero(seed.data(), seed.size());
      sodium_memzero(check.data(), check.size());
    }
    if (!complete || derived != pk) {
      sodium_memzero(sk.data(), sk.size());
      throw core::StartupError("identity key " + path.string() +
                               " is damaged (expected 64 bytes of an Ed25519 key); move it away to create a "
                               "new identity (peers will see a new device)");
    }
    Identity result(pk, sk);
    sodium_memzero(sk.data(), sk.size());
    return result;
  }

  Identity created = generate();
  if (const auto ec = core::write_private_file(path, std::as_bytes(std::span(created.secret_key_)))) {
    throw core::StartupError("cannot write identity key " + path.string() + ": " + ec.message());
  }
  return created;
}

Signature Identity::sign(std::span<const std::uint8_t> message) const {
  Signature signature{};
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(), secret_key_.data());
  return signature;
}

bool Identity::verify(const PublicKey& key, std::span<const std::uint8_t> message,
                      std::span<const std::uint8_t, 64> signature) {
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(), key.data()) == 0;
}

std::optional<std::vector<std::uint8_t>> Identity::seal_to(const PublicKey& recipient,
                                                           std::span<const std::uint8_t> message) {
  static_assert(kSealOverhead == crypto_box_SEALBYTES);
  std::array<std::uint8_t, crypto_box_PUBLICKEYBYTES> x25519{};
  if (crypto_sign_ed25519_pk_to_curve25519(x25519.data(), recipient.data()) != 0) return std::nullopt;
  std::vector<std::uint8_t> sealed(message.size() + crypto_box_SEALBYTES);
  if (crypto_box_seal(sealed.data(), message.data(), message.size(), x25519.data()) != 0) return std::nullopt;
  return sealed;
}

std::optional<std::vector<std::uint8_t>> Identity::open_sealed(std::span<const std::uint8_t> sealed) const {
  if (sealed.size() < crypto_box_SEALBYTES) return std::nullopt;
  std::array<std::uint8_t, crypto_box_PUBLICKEYBYTES> x25519_pk{};
  std::array<std::uint8_t, crypto_box_SECRETKEYBYTES> x25519_sk{};
  if (crypto_sign_ed25519_pk_to_curve25519(x25519_pk.data(), public_key_.data()) != 0 ||
      crypto_sign_ed25519_sk_to_curve25519(x25519_sk.data(), secret_key_.data()) != 0) {
    sodium_memzero(x25519_sk.data(), x25519_sk.size());
    return std::nullopt;
  }
  std::vector<std::uint8_t> message(sealed.size() - crypto_box_SEALBYTES);
  const int opened =
      crypto_box_seal_open(message.data(), sealed.data(), sealed.size(), x25519_pk.data(), x25519_sk.data());
  sodium_memzero(x25519_sk.data(), x25519_sk.size());
  if (opened != 0) return std::nullopt;
  return message;
}

}  // namespace peerdrop::identity
