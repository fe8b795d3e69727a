// Golden vectors for SHA-256, HMAC-SHA256 (RFC 4231) and Ed25519 (RFC 8032).
#include <string>

#include "broker/ledger/crypto/ed25519.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/ledger/note/note.h"
#include "gtest/gtest.h"
#include "tests/ledger/primitives/test_util.h"
#include "tests/testing/status_matchers.h"

namespace wams::ledger {
namespace {

using ::wams::ledger::testing::FromHex;
using ::wams::ledger::testing::ToHex;
using ::wams::testing::StatusIs;

// RFC 8032 section 7.1, TEST 1.
constexpr char kRfc8032Seed[] = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr char kRfc8032Public[] =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr char kRfc8032Signature[] =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9"
    "b46bd25bf5f0595bbe24655141438e7a100b";

TEST(Sha256Test, KnownDigests) {
  EXPECT_EQ(DigestHex(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(DigestHex(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Parts({"a", "", "bc"}), Sha256("abc"));
  EXPECT_EQ(DigestBytes(Sha256("abc")).size(), 32u);
}

TEST(Sha256Test, HmacRfc4231TestCase2) {
  EXPECT_EQ(DigestHex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// A key longer than SHA-256's 64-byte block is hashed first.
TEST(Sha256Test, HmacRfc4231TestCase6) {
  EXPECT_EQ(DigestHex(HmacSha256(std::string(131, '\xaa'),
                                 "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

// Keys of exactly one block and of none.
TEST(Sha256Test, HmacMatchesRfc2104AtBlockSizeAndEmptyKey) {
  auto reference = [](const std::string& key, const std::string& data) {
    std::string padded = key;
    padded.resize(64, '\0');
    std::string inner(64, '\0');
    std::string outer(64, '\0');
    for (int i = 0; i < 64; ++i) {
      inner[i] = static_cast<char>(padded[i] ^ 0x36);
      outer[i] = static_cast<char>(padded[i] ^ 0x5c);
    }
    return Sha256(outer + DigestBytes(Sha256(inner + data)));
  };
  const std::string block_key(64, 'k');
  EXPECT_EQ(HmacSha256(block_key, "data"), reference(block_key, "data"));
  EXPECT_EQ(HmacSha256("", "data"), reference("", "data"));
  // RFC 4231 test case 2 again, through the reference: the two agree.
  EXPECT_EQ(HmacSha256("Jefe", "what do ya want for nothing?"),
            reference("Jefe", "what do ya want for nothing?"));
}

TEST(Sha256Test, DigestFromHexAndBytesRoundTrip) {
  Digest d = Sha256("round trip");
  absl::StatusOr<Digest> from_hex = DigestFromHex(DigestHex(d));
  ASSERT_TRUE(from_hex.ok());
  EXPECT_EQ(*from_hex, d);
  absl::StatusOr<Digest> from_bytes = DigestFromBytes(DigestBytes(d));
  ASSERT_TRUE(from_bytes.ok());
  EXPECT_EQ(*from_bytes, d);
  EXPECT_THAT(DigestFromHex("abc"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DigestFromHex(std::string(64, 'g')), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DigestFromBytes(std::string(31, 'x')), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Ed25519Test, Rfc8032Test1SignsThePublishedSignature) {
  absl::StatusOr<Ed25519PrivateKey> key = Ed25519PrivateKey::FromSeed(FromHex(kRfc8032Seed));
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(ToHex(key->PublicKey().raw()), kRfc8032Public);
  EXPECT_EQ(ToHex(key->Sign("")), kRfc8032Signature);
}

TEST(Ed25519Test, Rfc8032Test1Verifies) {
  absl::StatusOr<Ed25519PublicKey> pub = Ed25519PublicKey::FromRaw(FromHex(kRfc8032Public));
  ASSERT_TRUE(pub.ok()) << pub.status();
  EXPECT_TRUE(pub->Verify("", FromHex(kRfc8032Signature)));
}

TEST(Ed25519Test, RejectsEveryFlippedSignatureBit) {
  absl::StatusOr<Ed25519PublicKey> pub = Ed25519PublicKey::FromRaw(FromHex(kRfc8032Public));
  ASSERT_TRUE(pub.ok());
  const std::string sig = FromHex(kRfc8032Signature);
  for (size_t bit = 0; bit < sig.size() * 8; ++bit) {
    std::string bad = sig;
    bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
    EXPECT_FALSE(pub->Verify("", bad)) << "bit " << bit;
  }
}

TEST(Ed25519Test, RejectsChangedMessageAndWrongLengths) {
  absl::StatusOr<Ed25519PublicKey> pub = Ed25519PublicKey::FromRaw(FromHex(kRfc8032Public));
  ASSERT_TRUE(pub.ok());
  const std::string sig = FromHex(kRfc8032Signature);
  EXPECT_FALSE(pub->Verify(std::string(1, '\0'), sig));
  EXPECT_FALSE(pub->Verify("", sig.substr(0, 63)));
  EXPECT_FALSE(pub->Verify("", sig + "x"));
  EXPECT_FALSE(pub->Verify("", ""));
  EXPECT_THAT(Ed25519PublicKey::FromRaw(std::string(31, 'a')),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Ed25519PrivateKey::FromSeed(std::string(33, 'a')),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Ed25519Test, OtherKeyDoesNotVerify) {
  Ed25519PrivateKey a = Ed25519PrivateKey::Generate();
  Ed25519PrivateKey b = Ed25519PrivateKey::Generate();
  std::string sig = a.Sign("receipt");
  EXPECT_TRUE(a.PublicKey().Verify("receipt", sig));
  EXPECT_FALSE(b.PublicKey().Verify("receipt", sig));
}

// The RFC 8032 TEST 1 key as OpenSSL writes it: PKCS#8 DER
// 302e020100300506032b657004220420 || seed, SPKI 302a300506032b6570032100 || pub.
std::string Pem(std::string_view label, std::string_view der) {
  std::string b64 = Base64Encode(der);
  std::string out = "-----BEGIN " + std::string(label) + "-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
  return out + "-----END " + std::string(label) + "-----\n";
}

TEST(Ed25519Test, ReadsAndWritesStandardPem) {
  const std::string private_pem =
      Pem("PRIVATE KEY", FromHex(std::string("302e020100300506032b657004220420") + kRfc8032Seed));
  const std::string public_pem =
      Pem("PUBLIC KEY", FromHex(std::string("302a300506032b6570032100") + kRfc8032Public));
  absl::StatusOr<Ed25519PrivateKey> key = Ed25519PrivateKey::FromPem(private_pem);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(ToHex(key->Sign("")), kRfc8032Signature);
  EXPECT_EQ(key->ToPem(), private_pem);
  EXPECT_EQ(key->PublicKey().ToPem(), public_pem);
  absl::StatusOr<Ed25519PublicKey> pub = Ed25519PublicKey::FromPem(public_pem);
  ASSERT_TRUE(pub.ok()) << pub.status();
  EXPECT_EQ(ToHex(pub->raw()), kRfc8032Public);
}

TEST(Ed25519Test, GeneratedKeyPemRoundTrip) {
  Ed25519PrivateKey key = Ed25519PrivateKey::Generate();
  absl::StatusOr<Ed25519PrivateKey> again = Ed25519PrivateKey::FromPem(key.ToPem());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->PublicKey().raw(), key.PublicKey().raw());
  absl::StatusOr<Ed25519PublicKey> pub = Ed25519PublicKey::FromPem(key.PublicKey().ToPem());
  ASSERT_TRUE(pub.ok()) << pub.status();
  EXPECT_TRUE(pub->Verify("m", again->Sign("m")));
}

TEST(Ed25519Test, RejectsNonEd25519AndGarbagePem) {
  EXPECT_THAT(Ed25519PrivateKey::FromPem("not a pem"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      Ed25519PublicKey::FromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
      StatusIs(absl::StatusCode::kInvalidArgument));
  // An X25519 SPKI (OID 1.3.101.110) is a valid PEM key of the wrong type.
  const std::string x25519 =
      Pem("PUBLIC KEY", FromHex(std::string("302a300506032b656e032100") + kRfc8032Public));
  absl::StatusOr<Ed25519PublicKey> pub = Ed25519PublicKey::FromPem(x25519);
  EXPECT_THAT(pub, StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Ed25519Test, MovedKeyStillSigns) {
  Ed25519PrivateKey key = Ed25519PrivateKey::Generate();
  std::string raw = key.PublicKey().raw();
  Ed25519PrivateKey moved = std::move(key);
  EXPECT_EQ(moved.PublicKey().raw(), raw);
  EXPECT_TRUE(moved.PublicKey().Verify("x", moved.Sign("x")));
}

}  // namespace
}  // namespace wams::ledger
