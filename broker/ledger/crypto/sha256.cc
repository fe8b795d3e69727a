#include "broker/ledger/crypto/sha256.h"

#include <openssl/evp.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace wams::ledger {
namespace {

// Fetched once: an implicit EVP_sha256() fetch on every digest costs a
// provider lookup, and leaf hashing runs once per receipt.
const EVP_MD* Sha256Md() {
  static const EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
    return fetched != nullptr ? fetched : EVP_sha256();
  }();
  return md;
}

[[noreturn]] void Die(const char* what) {
  // A digest can only fail on memory exhaustion or a broken OpenSSL install:
  // a broken invariant, not something a caller can handle.
  std::fprintf(stderr, "wams crypto: %s failed\n", what);
  std::abort();
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

}  // namespace

Digest Sha256(std::string_view data) { return Sha256Parts({data}); }

Digest Sha256Parts(std::initializer_list<std::string_view> parts) {
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr || EVP_DigestInit_ex(ctx.get(), Sha256Md(), nullptr) != 1) {
    Die("SHA-256 init");
  }
  for (std::string_view part : parts) {
    if (EVP_DigestUpdate(ctx.get(), part.data(), part.size()) != 1) Die("SHA-256 update");
  }
  Digest out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1 || len != out.size()) {
    Die("SHA-256 final");
  }
  return out;
}

Digest HmacSha256(std::string_view key, std::string_view data) {
  // RFC 2104 over the SHA-256 fetched once: OpenSSL 3's one-shot HMAC()
  // fetches the MAC implementation on every call, which cost about 5 us per
  // pseudonym (twice per data request) in the broker's profile.
  constexpr size_t kBlock = 64;
  std::array<char, kBlock> inner_pad{};
  if (key.size() > kBlock) {
    Digest hashed = Sha256(key);
    std::memcpy(inner_pad.data(), hashed.data(), hashed.size());
  } else {
    std::memcpy(inner_pad.data(), key.data(), key.size());
  }
  std::array<char, kBlock> outer_pad = inner_pad;
  for (size_t i = 0; i < kBlock; ++i) {
    inner_pad[i] = static_cast<char>(inner_pad[i] ^ 0x36);
    outer_pad[i] = static_cast<char>(outer_pad[i] ^ 0x5c);
  }
  Digest inner = Sha256Parts({std::string_view(inner_pad.data(), kBlock), data});
  return Sha256Parts({std::string_view(outer_pad.data(), kBlock),
                      std::string_view(reinterpret_cast<const char*>(inner.data()), inner.size())});
}

std::string Sha256Bytes(std::string_view data) { return DigestBytes(Sha256(data)); }

std::string DigestBytes(const Digest& digest) {
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

std::string DigestHex(const Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * digest.size());
  for (uint8_t b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0f]);
  }
  return out;
}

absl::StatusOr<Digest> DigestFromBytes(std::string_view bytes) {
  Digest out{};
  if (bytes.size() != out.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("a SHA-256 digest is 32 bytes, got ", bytes.size()));
  }
  std::memcpy(out.data(), bytes.data(), out.size());
  return out;
}

absl::StatusOr<Digest> DigestFromHex(std::string_view hex) {
  Digest out{};
  if (hex.size() != 2 * out.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("a hex SHA-256 digest is 64 characters, got ", hex.size()));
  }
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(hex[2 * i]);
    int lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return absl::InvalidArgumentError("hex SHA-256 digest holds a non-hex character");
    }
    out[i] = static_cast<uint8_t>((hi << 4) | lo);
  }
  return out;
}

}  // namespace wams::ledger
