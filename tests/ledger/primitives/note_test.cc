// C2SP signed note (golang.org/x/mod/sumdb/note TestSign), tlog-checkpoint
// bodies and tlog-cosignatures, and strict base64.
#include "broker/ledger/note/note.h"

#include <string>

#include "broker/ledger/merkle/merkle.h"
#include "gtest/gtest.h"
#include "tests/ledger/primitives/test_util.h"
#include "tests/testing/status_matchers.h"

namespace wams::ledger {
namespace {

using ::wams::ledger::testing::FromHex;
using ::wams::testing::StatusIs;

constexpr char kPeterSeed[] = "810a1402d5146c8d84f2443330f54080ebf98ee17d9c74f6252fc5d5c7283173";
constexpr char kPeterVerifierKey[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr char kPeterText[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr char kPeterSigLine[] =
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

NoteSigner PeterSigner() {
  absl::StatusOr<Ed25519PrivateKey> key = Ed25519PrivateKey::FromSeed(FromHex(kPeterSeed));
  EXPECT_TRUE(key.ok());
  return NoteSigner("PeterNeumann", *std::move(key));
}

std::string PeterNote() { return std::string(kPeterText) + "\n" + kPeterSigLine; }

TEST(NoteTest, PeterNeumannVerifierKeyAndKeyId) {
  NoteSigner signer = PeterSigner();
  EXPECT_EQ(signer.key_id(), 0xc74f20a3u);
  EXPECT_EQ(signer.KeyName(), "PeterNeumann+c74f20a3");
  EXPECT_EQ(signer.VerifierKey(), kPeterVerifierKey);
  EXPECT_EQ(VerifierKeyLine("PeterNeumann", signer.key().PublicKey()), kPeterVerifierKey);
  EXPECT_EQ(NoteKeyId("PeterNeumann", signer.key().PublicKey()), 0xc74f20a3u);
}

TEST(NoteTest, PeterNeumannSignatureLineByteForByte) {
  EXPECT_EQ(PeterSigner().Sign(kPeterText), PeterNote());
}

TEST(NoteTest, PeterNeumannNoteOpens) {
  absl::StatusOr<NoteVerifier> verifier = NoteVerifier::FromVerifierKey(kPeterVerifierKey);
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  EXPECT_EQ(verifier->name(), "PeterNeumann");
  EXPECT_EQ(verifier->key_id(), 0xc74f20a3u);
  EXPECT_EQ(verifier->KeyName(), "PeterNeumann+c74f20a3");
  absl::StatusOr<std::string> text = verifier->Open(PeterNote());
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, kPeterText);
}

TEST(NoteTest, TamperedNoteIsRejected) {
  absl::StatusOr<NoteVerifier> verifier = NoteVerifier::FromVerifierKey(kPeterVerifierKey);
  ASSERT_TRUE(verifier.ok());
  std::string note = PeterNote();
  note[3] = 'X';  // "If yXu think..."
  EXPECT_EQ(verifier->Open(note).status().code(), absl::StatusCode::kUnauthenticated);
  // Every single-byte change of the signed text is caught.
  const std::string good = PeterNote();
  for (size_t i = 0; i + 1 < std::string(kPeterText).size(); ++i) {
    std::string bad = good;
    bad[i] = bad[i] == 'a' ? 'b' : 'a';
    EXPECT_THAT(verifier->Open(bad), StatusIs(absl::StatusCode::kUnauthenticated)) << "byte " << i;
  }
}

TEST(NoteTest, TamperedSignatureIsRejected) {
  absl::StatusOr<NoteVerifier> verifier = NoteVerifier::FromVerifierKey(kPeterVerifierKey);
  ASSERT_TRUE(verifier.ok());
  std::string note = PeterNote();
  size_t pos = note.find("x08go") + 10;
  note[pos] = note[pos] == 'A' ? 'B' : 'A';
  EXPECT_EQ(verifier->Open(note).status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(NoteTest, NoteByAnotherKeyIsUnverified) {
  NoteSigner other("PeterNeumann", Ed25519PrivateKey::Generate());
  absl::StatusOr<NoteVerifier> verifier = NoteVerifier::FromVerifierKey(kPeterVerifierKey);
  ASSERT_TRUE(verifier.ok());
  absl::StatusOr<std::string> text = verifier->Open(other.Sign(kPeterText));
  EXPECT_EQ(text.status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(NoteTest, ExtraSignaturesByOthersAreIgnored) {
  NoteSigner other("witness.example", Ed25519PrivateKey::Generate());
  std::string other_note = other.Sign(kPeterText);
  std::string other_line = other_note.substr(std::string(kPeterText).size() + 1);
  absl::StatusOr<NoteVerifier> verifier = NoteVerifier::FromVerifierKey(kPeterVerifierKey);
  ASSERT_TRUE(verifier.ok());
  absl::StatusOr<std::string> text = verifier->Open(PeterNote() + other_line);
  ASSERT_TRUE(text.ok()) << text.status();
  absl::StatusOr<ParsedNote> parsed = ParseNote(PeterNote() + other_line);
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->signatures.size(), 2u);
  EXPECT_EQ(parsed->signatures[1].name, "witness.example");
  EXPECT_EQ(parsed->signatures[1].key_id, other.key_id());
}

TEST(NoteTest, MalformedNotesAreInvalidArgument) {
  absl::StatusOr<NoteVerifier> verifier = NoteVerifier::FromVerifierKey(kPeterVerifierKey);
  ASSERT_TRUE(verifier.ok());
  const std::string sig = kPeterSigLine;
  for (const std::string& bad : {
           std::string(kPeterText) + sig,                                        // no blank line
           std::string(kPeterText) + "\n",                                       // no signatures
           std::string(kPeterText) + "\n" + sig.substr(0, sig.size() - 1),       // no final newline
           std::string(kPeterText) + "\n- PeterNeumann AAAA\n",                  // ASCII dash
           std::string(kPeterText) + "\n\xE2\x80\x94 PeterNeumann AAA=\n",       // < 5 bytes
           std::string(kPeterText) + "\n\xE2\x80\x94 Peter+Neumann x08go/ZJ\n",  // bad name
           "bad\x01text\n\n" + sig,                                              // control char
           "bad\xff text\n\n" + sig,                                             // invalid UTF-8
       }) {
    EXPECT_EQ(verifier->Open(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(NoteTest, VerifierKeyParsingIsStrict) {
  EXPECT_THAT(NoteVerifier::FromVerifierKey(
                  "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(NoteVerifier::FromVerifierKey("PeterNeumann+c74f20a3"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(NoteVerifier::FromVerifierKey(
                  "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // Algorithm byte 0x02 instead of 0x01.
  EXPECT_THAT(NoteVerifier::FromVerifierKey(
                  "PeterNeumann+c74f20a3+Alpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      NoteVerifier::FromVerifierKey("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
      StatusIs(absl::StatusCode::kInvalidArgument));
  // A base64 key holding '+' parses (split on the first two '+' only).
  for (int i = 0; i < 64; ++i) {
    NoteSigner s("plus.example", Ed25519PrivateKey::Generate());
    std::string line = s.VerifierKey();
    absl::StatusOr<NoteVerifier> v = NoteVerifier::FromVerifierKey(line);
    ASSERT_TRUE(v.ok()) << line << ": " << v.status();
    EXPECT_EQ(v->key().raw(), s.key().PublicKey().raw());
  }
}

TEST(CheckpointTest, FormatParseRoundTrip) {
  CheckpointBody body{"wams.utrecht.example/receipts", 1234567, Sha256("root")};
  std::string text = FormatCheckpointBody(body);
  EXPECT_EQ(text, "wams.utrecht.example/receipts\n1234567\n" +
                      Base64Encode(DigestBytes(body.root_hash)) + "\n");
  absl::StatusOr<CheckpointBody> parsed = ParseCheckpointBody(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->origin, body.origin);
  EXPECT_EQ(parsed->tree_size, body.tree_size);
  EXPECT_EQ(parsed->root_hash, body.root_hash);
  // Extension lines are allowed.
  parsed = ParseCheckpointBody(text + "ext one\next two\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->tree_size, 1234567u);
  // Zero and the largest 64-bit size.
  parsed = ParseCheckpointBody(FormatCheckpointBody({"o", 0, EmptyRoot()}));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->tree_size, 0u);
  parsed = ParseCheckpointBody(FormatCheckpointBody({"o", UINT64_MAX, EmptyRoot()}));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->tree_size, UINT64_MAX);
}

TEST(CheckpointTest, SignedCheckpointOpensAndParses) {
  NoteSigner signer("wams.utrecht.example/receipts", Ed25519PrivateKey::Generate());
  std::string note =
      signer.Sign(FormatCheckpointBody({"wams.utrecht.example/receipts", 8, EmptyRoot()}));
  absl::StatusOr<NoteVerifier> v = NoteVerifier::FromVerifierKey(signer.VerifierKey());
  ASSERT_TRUE(v.ok());
  absl::StatusOr<std::string> text = v->Open(note);
  ASSERT_TRUE(text.ok()) << text.status();
  absl::StatusOr<CheckpointBody> body = ParseCheckpointBody(*text);
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(body->tree_size, 8u);
}

TEST(CheckpointTest, MalformedBodiesAreRejectedWithTheLine) {
  const std::string root = Base64Encode(DigestBytes(EmptyRoot()));
  struct Case {
    std::string text;
    std::string mentions;
  };
  for (const Case& c : std::vector<Case>{
           {"origin\n5\n" + root, "newline"},
           {"origin\n5\n", "got 2 line"},
           {"\n5\n" + root + "\n", "origin"},
           {"origin\n05\n" + root + "\n", "tree size"},
           {"origin\n-5\n" + root + "\n", "tree size"},
           {"origin\n+5\n" + root + "\n", "tree size"},
           {"origin\n\n" + root + "\n", "tree size"},
           {"origin\n18446744073709551616\n" + root + "\n", "64 bits"},
           {"origin\n5 \n" + root + "\n", "tree size"},
           {"origin\n5\n" + root.substr(0, 40) + "\n", "root hash"},
           {"origin\n5\n" + Base64Encode(std::string(31, 'x')) + "\n", "root hash"},
           {"origin\n5\n" + root + "x\n", "root hash"},
           {"origin\n5\n" + root + "\n\n", "extension line 4"},
       }) {
    absl::StatusOr<CheckpointBody> parsed = ParseCheckpointBody(c.text);
    ASSERT_THAT(parsed, StatusIs(absl::StatusCode::kInvalidArgument)) << c.text;
    EXPECT_NE(std::string(parsed.status().message()).find(c.mentions), std::string::npos)
        << parsed.status() << " should mention " << c.mentions;
  }
}

TEST(CosignatureTest, SignVerifyRoundTrip) {
  Ed25519PrivateKey witness = Ed25519PrivateKey::Generate();
  const std::string body = FormatCheckpointBody({"wams.example/receipts", 42, Sha256("r")});
  std::string line = CosignatureLine("witness.example", witness, body, 1700000000);
  ASSERT_EQ(line.substr(0, 4), "\xE2\x80\x94 ");
  ASSERT_EQ(line.back(), '\n');
  EXPECT_TRUE(VerifyCosignatureLine(line, "witness.example", witness.PublicKey(), body).ok());
  // Without the final newline too.
  EXPECT_TRUE(VerifyCosignatureLine(line.substr(0, line.size() - 1), "witness.example",
                                    witness.PublicKey(), body)
                  .ok());
  // Layout: key id (type 0x04), 8-byte big-endian time, 64-byte signature.
  absl::StatusOr<std::string> blob =
      Base64Decode(line.substr(line.rfind(' ') + 1, line.size() - line.rfind(' ') - 2));
  ASSERT_TRUE(blob.ok());
  ASSERT_EQ(blob->size(), 4u + 8u + 64u);
  uint32_t id = 0;
  for (int i = 0; i < 4; ++i) id = (id << 8) | static_cast<uint8_t>((*blob)[i]);
  EXPECT_EQ(id, CosignatureKeyId("witness.example", witness.PublicKey()));
  EXPECT_NE(id, NoteKeyId("witness.example", witness.PublicKey()));
  uint64_t t = 0;
  for (int i = 4; i < 12; ++i) t = (t << 8) | static_cast<uint8_t>((*blob)[i]);
  EXPECT_EQ(t, 1700000000u);
  EXPECT_TRUE(
      witness.PublicKey().Verify("cosignature/v1\ntime 1700000000\n" + body, blob->substr(12)));
}

TEST(CosignatureTest, TamperedCosignaturesAreRejected) {
  Ed25519PrivateKey witness = Ed25519PrivateKey::Generate();
  const std::string body = FormatCheckpointBody({"wams.example/receipts", 42, Sha256("r")});
  const std::string line = CosignatureLine("witness.example", witness, body, 1700000000);
  // Another checkpoint body.
  const std::string other = FormatCheckpointBody({"wams.example/receipts", 43, Sha256("r")});
  EXPECT_EQ(VerifyCosignatureLine(line, "witness.example", witness.PublicKey(), other).code(),
            absl::StatusCode::kUnauthenticated);
  // Another witness name or key.
  EXPECT_THAT(VerifyCosignatureLine(line, "witness2.example", witness.PublicKey(), body),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(VerifyCosignatureLine(line, "witness.example",
                                    Ed25519PrivateKey::Generate().PublicKey(), body),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // A changed timestamp byte (base64 char 8 is inside the time field).
  std::string bad = line;
  size_t b64 = line.rfind(' ') + 1;
  bad[b64 + 8] = bad[b64 + 8] == 'A' ? 'B' : 'A';
  EXPECT_THAT(VerifyCosignatureLine(bad, "witness.example", witness.PublicKey(), body),
              StatusIs(absl::StatusCode::kUnauthenticated));
  // A changed signature byte.
  bad = line;
  bad[line.size() - 10] = bad[line.size() - 10] == 'A' ? 'B' : 'A';
  EXPECT_THAT(VerifyCosignatureLine(bad, "witness.example", witness.PublicKey(), body),
              StatusIs(absl::StatusCode::kUnauthenticated));
  // A plain note signature is not a cosignature.
  NoteSigner signer("witness.example", std::move(witness));
  std::string note = signer.Sign(body);
  std::string note_line = note.substr(body.size() + 1);
  EXPECT_THAT(VerifyCosignatureLine(note_line, "witness.example", signer.key().PublicKey(), body),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(CosignatureTest, CosignedCheckpointStillOpensWithTheLogKey) {
  NoteSigner log("wams.example/receipts", Ed25519PrivateKey::Generate());
  Ed25519PrivateKey witness = Ed25519PrivateKey::Generate();
  const std::string body = FormatCheckpointBody({"wams.example/receipts", 7, Sha256("r")});
  std::string note = log.Sign(body) + CosignatureLine("witness.example", witness, body, 1);
  absl::StatusOr<NoteVerifier> v = NoteVerifier::FromVerifierKey(log.VerifierKey());
  ASSERT_TRUE(v.ok());
  absl::StatusOr<std::string> text = v->Open(note);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, body);
}

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<const char*, const char*> kVectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : kVectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    absl::StatusOr<std::string> decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  absl::StatusOr<std::string> decoded = Base64Decode(Base64Encode(all));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, all);
}

TEST(Base64Test, DecodingIsStrict) {
  for (const char* bad : {"Zg", "Zg=", "Zh==", "Zm9=", "Z===", "====", "Zm9v\n", "Zm=v",
                          "Zg==Zg==", "Zm9 ", "Zm9v_-==", "Zg\0="}) {
    EXPECT_THAT(Base64Decode(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
}

}  // namespace
}  // namespace wams::ledger
