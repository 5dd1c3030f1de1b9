#include "transfer/sha256.hpp"

#include <openssl/evp.h>

#include <new>

namespace peerdrop::transfer {

void Sha256::Free::operator()(evp_md_ctx_st* context) const { EVP_MD_CTX_free(context); }

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
  if (!context_ || EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr) != 1) throw std::bad_alloc();
}

Sha256::Sha256(const Sha256& other) : context_(EVP_MD_CTX_new()) {
  if (!context_ || EVP_MD_CTX_copy_ex(context_.get(), other.context_.get()) != 1) throw std::bad_alloc();
}

Sha256& Sha256::operator=(const Sha256& other) {
  if (this != &other) *this = Sha256(other);
  return *this;
}

Sha256::~Sha256() = default;

void Sha256::update(std::span<const std::uint8_t> bytes) {
  // Cannot fail for SHA-256 in a context that was set up.
  EVP_DigestUpdate(context_.get(), bytes.data(), bytes.size());
}

Sha256::Digest Sha256::digest() const {
  Sha256 copy(*this);
  Digest out{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(copy.context_.get(), out.data(), &length);
  return out;
}

}  // namespace peerdrop::transfer
