#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>

// OpenSSL's EVP_MD_CTX, declared here so that its headers stay out of ours.
struct evp_md_ctx_st;

namespace peerdrop::transfer {

// An incremental SHA-256 (OpenSSL's EVP, which uses the CPU's SHA
// instructions where it has them: about 1.5 GiB/s on the 2-core VM of
// docs/benchmarks.md, against about 300 MiB/s for libsodium's portable one).
// Owns its EVP_MD_CTX; copying copies the state, so a digest can be taken
// of a copy while the original goes on.
class Sha256 {
 public:
  using Digest = std::array<std::uint8_t, 32>;

  // A fresh state. OpenSSL failing to allocate or set up a SHA-256 context
  // (out of memory, a broken installation) is fatal: std::bad_alloc.
  Sha256();
  Sha256(const Sha256& other);
  Sha256& operator=(const Sha256& other);
  Sha256(Sha256&&) noexcept = default;
  Sha256& operator=(Sha256&&) noexcept = default;
  ~Sha256();

  void update(std::span<const std::uint8_t> bytes);
  // The digest of what was hashed so far; the state stays usable.
  Digest digest() const;

 private:
  struct Free {
    void operator()(evp_md_ctx_st* context) const;
  };
  std::unique_ptr<evp_md_ctx_st, Free> context_;
};

}  // namespace peerdrop::transfer
