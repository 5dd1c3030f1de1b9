#include "transfer/sha256.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>
#include <string_view>

namespace peerdrop::transfer {
namespace {

std::span<const std::uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

std::string hex(const Sha256::Digest& digest) {
  char out[2 * 32 + 1];
  sodium_bin2hex(out, sizeof out, digest.data(), digest.size());
  return out;
}

TEST(Sha256, MatchesTheFipsVectors) {
  EXPECT_EQ(hex(Sha256().digest()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Sha256 abc;
  abc.update(as_bytes("a"));
  abc.update(as_bytes("bc"));
  EXPECT_EQ(hex(abc.digest()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 million;
  const std::string chunk(65'523, 'a');
  std::size_t left = 1'000'000;
  while (left > 0) {
    const auto n = std::min(left, chunk.size());
    million.update(as_bytes(std::string_view(chunk).substr(0, n)));
    left -= n;
  }
  EXPECT_EQ(hex(million.digest()), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, AgreesWithLibsodiumOnUnevenPieces) {
  std::string data(3 * 1024 * 1024 + 17, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  Sha256 hash;
  for (std::size_t at = 0; at < data.size(); at += 700'001) {
    hash.update(as_bytes(std::string_view(data).substr(at, 700'001)));
  }
  std::uint8_t expected[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(expected, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  EXPECT_EQ(hex(hash.digest()), hex(std::to_array(expected)));
}

TEST(Sha256, DigestLeavesTheStateUsableAndCopiesAreIndependent) {
  Sha256 hash;
  hash.update(as_bytes("ab"));
  (void)hash.digest();
  Sha256 copy = hash;
  hash.update(as_bytes("c"));
  EXPECT_EQ(hex(hash.digest()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  copy.update(as_bytes("x"));
  Sha256 abx;
  abx.update(as_bytes("abx"));
  EXPECT_EQ(copy.digest(), abx.digest());
  Sha256 moved = std::move(copy);
  EXPECT_EQ(moved.digest(), abx.digest());
  moved = hash;
  EXPECT_EQ(moved.digest(), hash.digest());
}

}  // namespace
}  // namespace peerdrop::transfer
