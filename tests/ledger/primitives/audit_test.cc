// wams-audit: exports built in a temp dir with ExportWriter, verified by the
// library and by the real binary (WAMS_AUDIT_BIN) as a subprocess; every
// tampering names the first bad index.
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_format.h"
#include "broker/ledger/export/export_format.h"
#include "broker/ledger/merkle/merkle.h"
#include "broker/ledger/note/note.h"
#include "broker/tools/auditor/export_verifier.h"
#include "broker/tools/auditor/witness_check.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace wams::auditor {
namespace {

using ledger::CheckpointBody;
using ledger::CompactRange;
using ledger::Digest;
using ledger::Ed25519PrivateKey;
using ledger::FormatCheckpointBody;
using ledger::NoteSigner;
using ::wams::testing::StatusIs;

constexpr char kOrigin[] = "wams.test.example/receipts";

// A fresh directory under the test temp dir, removed at the end.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TEST_TMPDIR");
    std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/wams_audit_XXXXXX";
    char* made = ::mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string ReceiptBytes(uint64_t i) {
  // Opaque to the verifier; shaped like a small serialised Receipt.
  std::string bytes = "\x0a\x24receipt-" + std::to_string(i) + "-0190f0c2-7c1e-7a00-8000";
  bytes.push_back(static_cast<char>(i & 0xff));
  bytes.push_back('\0');
  bytes += std::string(i % 7, '\xfe');
  return bytes;
}

// Writes an export of `n` receipts; receipt i is signed by signers[key_of(i)],
// the checkpoint by `checkpoint_signer`; `keys` lists the verifier keys.
struct ExportSpec {
  uint64_t n = 0;
  std::vector<const NoteSigner*> signers;
  std::function<size_t(uint64_t)> key_of = [](uint64_t) { return size_t{0}; };
  const NoteSigner* checkpoint_signer = nullptr;
  std::vector<std::string> keys;
  std::function<std::string(uint64_t)> bytes_of = ReceiptBytes;
};

Digest WriteExport(const std::string& dir, const ExportSpec& spec) {
  absl::StatusOr<std::unique_ptr<ledger_export::ExportWriter>> writer =
      ledger_export::ExportWriter::Create(dir);
  EXPECT_TRUE(writer.ok()) << writer.status();
  CompactRange range;
  for (uint64_t i = 0; i < spec.n; ++i) {
    const NoteSigner& signer = *spec.signers[spec.key_of(i)];
    std::string bytes = spec.bytes_of(i);
    range.Append(ledger::LeafHash(bytes));
    absl::Status s = (*writer)->AddReceipt({i, bytes, signer.SignBytes(bytes), signer.KeyName()});
    EXPECT_TRUE(s.ok()) << s;
  }
  const NoteSigner* cp_signer =
      spec.checkpoint_signer != nullptr ? spec.checkpoint_signer : spec.signers.back();
  std::vector<std::string> keys = spec.keys;
  if (keys.empty()) {
    for (const NoteSigner* s : spec.signers) keys.push_back(s->VerifierKey());
  }
  std::string note = cp_signer->Sign(FormatCheckpointBody({kOrigin, spec.n, range.Root()}));
  absl::Status s = (*writer)->Finish(keys, note);
  EXPECT_TRUE(s.ok()) << s;
  return range.Root();
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}
void WriteLines(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (const std::string& l : lines) out << l << "\n";
}
std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
void WriteAll(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

struct RunResult {
  int exit_code = -1;
  std::string output;
};
RunResult RunAudit(const std::string& args) {
  RunResult r;
  std::string cmd = std::string(WAMS_AUDIT_BIN) + " " + args + " 2>&1";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) r.output.append(buf, n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class AuditExportTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kN = 40;
  void SetUp() override {
    dir_ = tmp_.path() + "/export";
    ExportSpec spec;
    spec.n = kN;
    spec.signers = {&signer_};
    root_ = WriteExport(dir_, spec);
    receipts_ = dir_ + "/" + ledger_export::kReceiptsFile;
  }
  VerifyReport Verify(int threads = 2, size_t batch = 8) {
    VerifyOptions options;
    options.threads = threads;
    options.batch_size = batch;  // small batches: exercise the batch edges
    return VerifyExport(dir_, options);
  }
  // `code`: UNAUTHENTICATED when a signature fails (an unknown key, or bytes
  // that do not verify), DATA_LOSS when receipts are missing, extra, out of
  // order, cut off or malformed (broker/tools/auditor/export_verifier.h).
  void ExpectBadIndex(uint64_t index, absl::StatusCode code, std::string_view mentions = "") {
    for (int threads : {1, 2}) {
      VerifyReport r = Verify(threads);
      EXPECT_THAT(r.status, StatusIs(code));
      ASSERT_TRUE(r.first_bad_index.has_value()) << r.status;
      EXPECT_EQ(*r.first_bad_index, index) << r.status;
      EXPECT_NE(std::string(r.status.message()).find(mentions), std::string::npos)
          << r.status << " should mention " << mentions;
    }
    RunResult run = RunAudit("verify " + dir_);
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_NE(run.output.find("first bad index: " + std::to_string(index) + "\n"),
              std::string::npos)
        << run.output;
  }

  TempDir tmp_;
  NoteSigner signer_{kOrigin, Ed25519PrivateKey::Generate()};
  std::string dir_;
  std::string receipts_;
  Digest root_{};
};

TEST_F(AuditExportTest, IntactExportVerifies) {
  VerifyReport r = Verify();
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.receipts_verified, kN);
  EXPECT_EQ(r.checkpoint.tree_size, kN);
  EXPECT_EQ(r.checkpoint.origin, kOrigin);
  EXPECT_EQ(r.checkpoint.root_hash, root_);
  EXPECT_EQ(r.computed_root, root_);
  ASSERT_EQ(r.checkpoint_signed_by.size(), 1u);
  EXPECT_EQ(r.checkpoint_signed_by[0], signer_.KeyName());
  EXPECT_EQ(r.receipts_by_key[signer_.KeyName()], kN);
}

TEST_F(AuditExportTest, BinaryPrintsCountSizeAndRoot) {
  RunResult run = RunAudit("verify " + dir_);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("receipts verified: 40\n"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("tree size: 40\n"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("root: " + ledger::DigestHex(root_) + "\n"), std::string::npos)
      << run.output;
  RunResult one_thread = RunAudit("verify --threads 1 " + dir_);
  EXPECT_EQ(one_thread.exit_code, 0) << one_thread.output;
}

TEST_F(AuditExportTest, FlippedReceiptByteNamesItsIndex) {
  std::vector<std::string> lines = ReadLines(receipts_);
  ledger_export::ExportedReceipt r;
  ASSERT_TRUE(ledger_export::ParseReceiptLine(lines[13], r).ok());
  r.receipt[5] = static_cast<char>(r.receipt[5] ^ 0x01);
  lines[13] = ledger_export::FormatReceiptLine(r);
  lines[13].pop_back();
  WriteLines(receipts_, lines);
  ExpectBadIndex(13, absl::StatusCode::kUnauthenticated, "signature");
}

TEST_F(AuditExportTest, FlippedFileByteNamesItsIndex) {
  // Change one base64 character of receipt 21's bytes in the file itself.
  std::vector<std::string> lines = ReadLines(receipts_);
  size_t pos = lines[21].find("\"receipt\":\"") + 14;
  lines[21][pos] = lines[21][pos] == 'A' ? 'B' : 'A';
  WriteLines(receipts_, lines);
  ExpectBadIndex(21, absl::StatusCode::kUnauthenticated);
}

TEST_F(AuditExportTest, FlippedSignatureByteNamesItsIndex) {
  std::vector<std::string> lines = ReadLines(receipts_);
  size_t pos = lines[39].find("\"signature\":\"") + 20;
  lines[39][pos] = lines[39][pos] == 'A' ? 'B' : 'A';
  WriteLines(receipts_, lines);
  ExpectBadIndex(39, absl::StatusCode::kUnauthenticated);
}

TEST_F(AuditExportTest, MissingReceiptNamesItsIndex) {
  std::vector<std::string> lines = ReadLines(receipts_);
  lines.erase(lines.begin() + 17);
  WriteLines(receipts_, lines);
  ExpectBadIndex(17, absl::StatusCode::kDataLoss, "missing, extra or out of order");
}

TEST_F(AuditExportTest, MissingLastReceiptNamesItsIndex) {
  std::vector<std::string> lines = ReadLines(receipts_);
  lines.pop_back();
  WriteLines(receipts_, lines);
  ExpectBadIndex(kN - 1, absl::StatusCode::kDataLoss, "missing");
}

TEST_F(AuditExportTest, ExtraReceiptInTheMiddleNamesItsIndex) {
  std::vector<std::string> lines = ReadLines(receipts_);
  lines.insert(lines.begin() + 9, lines[8]);  // a duplicate of receipt 8
  WriteLines(receipts_, lines);
  ExpectBadIndex(9, absl::StatusCode::kDataLoss);
}

TEST_F(AuditExportTest, ExtraValidReceiptAtTheEndNamesItsIndex) {
  std::vector<std::string> lines = ReadLines(receipts_);
  std::string bytes = ReceiptBytes(kN);
  std::string extra =
      ledger_export::FormatReceiptLine({kN, bytes, signer_.SignBytes(bytes), signer_.KeyName()});
  extra.pop_back();
  lines.push_back(extra);
  WriteLines(receipts_, lines);
  ExpectBadIndex(kN, absl::StatusCode::kDataLoss, "extra");
}

TEST_F(AuditExportTest, ReorderedReceiptsNameTheFirst) {
  std::vector<std::string> lines = ReadLines(receipts_);
  std::swap(lines[30], lines[31]);
  WriteLines(receipts_, lines);
  ExpectBadIndex(30, absl::StatusCode::kDataLoss);
}

TEST_F(AuditExportTest, ReorderedWithRewrittenIndexesFailsOnTheRoot) {
  // Signatures do not cover the position, so only the root can tell.
  std::vector<std::string> lines = ReadLines(receipts_);
  ledger_export::ExportedReceipt a, b;
  ASSERT_TRUE(ledger_export::ParseReceiptLine(lines[30], a).ok());
  ASSERT_TRUE(ledger_export::ParseReceiptLine(lines[31], b).ok());
  std::swap(a.index, b.index);
  lines[30] = ledger_export::FormatReceiptLine(b);
  lines[31] = ledger_export::FormatReceiptLine(a);
  lines[30].pop_back();
  lines[31].pop_back();
  WriteLines(receipts_, lines);
  VerifyReport r = Verify();
  EXPECT_EQ(r.status.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(std::string(r.status.message()).find("root mismatch"), std::string::npos);
  EXPECT_EQ(r.receipts_verified, kN);
  RunResult run = RunAudit("verify " + dir_);
  EXPECT_EQ(run.exit_code, 1) << run.output;
}

TEST_F(AuditExportTest, TruncatedMidLineNamesTheCutReceipt) {
  std::string data = ReadAll(receipts_);
  std::vector<std::string> lines = ReadLines(receipts_);
  size_t cut = 0;
  for (int i = 0; i < 25; ++i) cut += lines[i].size() + 1;
  WriteAll(receipts_, data.substr(0, cut + 30));
  ExpectBadIndex(25, absl::StatusCode::kDataLoss, "truncated");
}

TEST_F(AuditExportTest, TruncatedAtLineBoundaryNamesTheFirstMissing) {
  std::vector<std::string> lines = ReadLines(receipts_);
  lines.resize(33);
  WriteLines(receipts_, lines);
  ExpectBadIndex(33, absl::StatusCode::kDataLoss, "missing");
}

TEST_F(AuditExportTest, EmptyReceiptsFileNamesIndexZero) {
  WriteAll(receipts_, "");
  ExpectBadIndex(0, absl::StatusCode::kDataLoss, "missing");
}

TEST_F(AuditExportTest, ReceiptByUnknownKeyNamesItsIndex) {
  NoteSigner stranger(kOrigin, Ed25519PrivateKey::Generate());
  std::vector<std::string> lines = ReadLines(receipts_);
  std::string bytes = ReceiptBytes(6);
  lines[6] =
      ledger_export::FormatReceiptLine({6, bytes, stranger.SignBytes(bytes), stranger.KeyName()});
  lines[6].pop_back();
  WriteLines(receipts_, lines);
  ExpectBadIndex(6, absl::StatusCode::kUnauthenticated, "unknown key");
}

TEST_F(AuditExportTest, ReceiptSignedByAnotherKnownKeyNameFails) {
  // Right key id, wrong key: the signature was made by a stranger.
  NoteSigner stranger(kOrigin, Ed25519PrivateKey::Generate());
  std::vector<std::string> lines = ReadLines(receipts_);
  std::string bytes = ReceiptBytes(6);
  lines[6] =
      ledger_export::FormatReceiptLine({6, bytes, stranger.SignBytes(bytes), signer_.KeyName()});
  lines[6].pop_back();
  WriteLines(receipts_, lines);
  ExpectBadIndex(6, absl::StatusCode::kUnauthenticated, "does not verify");
}

TEST_F(AuditExportTest, EarliestFailureInABatchWins) {
  // A bad signature at 3 and a malformed line at 5, in one batch.
  std::vector<std::string> lines = ReadLines(receipts_);
  size_t pos = lines[3].find("\"signature\":\"") + 20;
  lines[3][pos] = lines[3][pos] == 'A' ? 'B' : 'A';
  lines[5] = "{\"index\":5}";
  WriteLines(receipts_, lines);
  ExpectBadIndex(3, absl::StatusCode::kUnauthenticated);
}

TEST_F(AuditExportTest, BadCheckpointSignatureFails) {
  const std::string path = dir_ + "/" + ledger_export::kCheckpointFile;
  std::string note = ReadAll(path);
  note[note.size() - 10] = note[note.size() - 10] == 'A' ? 'B' : 'A';
  WriteAll(path, note);
  VerifyReport r = Verify();
  EXPECT_EQ(r.status.code(), absl::StatusCode::kUnauthenticated) << r.status;
  EXPECT_NE(std::string(r.status.message()).find("checkpoint"), std::string::npos);
  RunResult run = RunAudit("verify " + dir_);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("checkpoint"), std::string::npos) << run.output;
}

TEST_F(AuditExportTest, CheckpointSignedByUnknownKeyFails) {
  NoteSigner stranger(kOrigin, Ed25519PrivateKey::Generate());
  WriteAll(dir_ + "/" + ledger_export::kCheckpointFile,
           stranger.Sign(FormatCheckpointBody({kOrigin, kN, root_})));
  VerifyReport r = Verify();
  EXPECT_EQ(r.status.code(), absl::StatusCode::kUnauthenticated) << r.status;
  EXPECT_EQ(RunAudit("verify " + dir_).exit_code, 1);
}

TEST_F(AuditExportTest, CheckpointWithWrongSizeOrRootFails) {
  // Validly signed, but not this export's tree.
  WriteAll(dir_ + "/" + ledger_export::kCheckpointFile,
           signer_.Sign(FormatCheckpointBody({kOrigin, kN, ledger::Sha256("x")})));
  VerifyReport r = Verify();
  EXPECT_EQ(r.status.code(), absl::StatusCode::kDataLoss);
  EXPECT_FALSE(r.first_bad_index.has_value());
  WriteAll(dir_ + "/" + ledger_export::kCheckpointFile,
           signer_.Sign(FormatCheckpointBody({kOrigin, kN + 1, root_})));
  ExpectBadIndex(kN, absl::StatusCode::kDataLoss, "missing");
}

TEST_F(AuditExportTest, CosignedCheckpointStillVerifies) {
  const std::string path = dir_ + "/" + ledger_export::kCheckpointFile;
  Ed25519PrivateKey witness = Ed25519PrivateKey::Generate();
  WriteAll(path, ReadAll(path) + ledger::CosignatureLine("witness.example", witness,
                                                         FormatCheckpointBody({kOrigin, kN, root_}),
                                                         1700000000));
  VerifyReport r = Verify();
  EXPECT_TRUE(r.status.ok()) << r.status;
}

// `verify --witness-key FILE --min-witnesses N`: the cosignatures in the
// checkpoint file are counted by the given witnesses' keys.
TEST_F(AuditExportTest, MinWitnessesCountsValidCosignaturesAndNamesTheOthers) {
  const std::string path = dir_ + "/" + ledger_export::kCheckpointFile;
  const std::string body = FormatCheckpointBody({kOrigin, kN, root_});
  Ed25519PrivateKey w1 = Ed25519PrivateKey::Generate();
  Ed25519PrivateKey w2 = Ed25519PrivateKey::Generate();
  const std::string w1_key = tmp_.path() + "/w1.vkey", w2_key = tmp_.path() + "/w2.vkey";
  for (const auto& [file, name, key] :
       {std::tuple{w1_key, "w1.example", &w1}, std::tuple{w2_key, "w2.example", &w2}}) {
    RunResult printed;
    const std::string pem = tmp_.path() + "/" + name + ".pem";
    WriteAll(pem, key->ToPem());
    std::filesystem::permissions(
        pem, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    printed = RunAudit(std::string("witness-key --witness-name ") + name + " --witness-key " + pem);
    ASSERT_EQ(printed.exit_code, 0) << printed.output;
    WriteAll(file, printed.output);
  }
  const std::string both = " --witness-key " + w1_key + " --witness-key " + w2_key;
  WriteAll(path, ReadAll(path) + ledger::CosignatureLine("w1.example", w1, body, 1700000000));

  RunResult run = RunAudit("verify" + both + " --min-witnesses 1 " + dir_);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("cosigned by witness: w1.example\n"), std::string::npos) << run.output;
  run = RunAudit("--json verify" + both + " --min-witnesses 2 " + dir_);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("\"witnesses_missing\":[\"w2.example\"]"), std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("2 valid witness cosignatures required, 1 found; missing: w2.example"),
            std::string::npos)
      << run.output;
  // More required than keys given is a usage error.
  EXPECT_EQ(RunAudit("verify --witness-key " + w1_key + " --min-witnesses 2 " + dir_).exit_code, 2);

  // w2's line over another checkpoint is bad, and fails even when enough
  // others are valid.
  WriteAll(path, ReadAll(path) + ledger::CosignatureLine(
                                     "w2.example", w2,
                                     FormatCheckpointBody({kOrigin, kN + 1, root_}), 1700000000));
  run = RunAudit("verify" + both + " --min-witnesses 1 " + dir_);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("bad (does not verify): w2.example"), std::string::npos) << run.output;
  // Without --witness-key the cosignatures are not looked at, as before.
  EXPECT_EQ(RunAudit("verify " + dir_).exit_code, 0);
}

TEST(WitnessCheckTest, ParsesPrintedKeysAndRejectsAWrongHashOrANoteKey) {
  Ed25519PrivateKey key = Ed25519PrivateKey::Generate();
  const std::string line =
      "w.example+" +
      absl::StrFormat("%08x", ledger::CosignatureKeyId("w.example", key.PublicKey())) + "+" +
      ledger::Base64Encode("\x04" + key.PublicKey().raw());
  EXPECT_EQ(ledger::CosignatureVerifierKeyLine("w.example", key.PublicKey()), line);
  absl::StatusOr<TrustedWitness> parsed = ledger::ParseCosignatureVerifierKey(line);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->name, "w.example");
  EXPECT_EQ(parsed->key.raw(), key.PublicKey().raw());
  std::string wrong_hash = line;
  wrong_hash[10] = wrong_hash[10] == '0' ? '1' : '0';
  EXPECT_THAT(ledger::ParseCosignatureVerifierKey(wrong_hash),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // A note verifier key (0x01) signs checkpoints, it does not cosign them.
  EXPECT_THAT(
      ledger::ParseCosignatureVerifierKey(ledger::VerifierKeyLine("w.example", key.PublicKey())),
      StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(WitnessCheckTest, SortsTrustedWitnessesIntoValidMissingAndBad) {
  NoteSigner log(kOrigin, Ed25519PrivateKey::Generate());
  const std::string body = FormatCheckpointBody({kOrigin, 3, Digest{}});
  Ed25519PrivateKey a = Ed25519PrivateKey::Generate(), b = Ed25519PrivateKey::Generate(),
                    c = Ed25519PrivateKey::Generate();
  std::vector<TrustedWitness> trusted = {
      {"a.example", a.PublicKey()}, {"b.example", b.PublicKey()}, {"c.example", c.PublicKey()}};
  // b signed the cosignature message of another size: bad, not missing.
  const std::string note =
      log.Sign(body) + ledger::CosignatureLine("a.example", a, body, 1700000000) +
      ledger::CosignatureLine("b.example", b, FormatCheckpointBody({kOrigin, 4, Digest{}}),
                              1700000000);
  WitnessCheck check = CheckWitnesses(note, trusted, 1);
  EXPECT_EQ(check.valid, std::vector<std::string>{"a.example"});
  EXPECT_EQ(check.bad, std::vector<std::string>{"b.example"});
  EXPECT_EQ(check.missing, std::vector<std::string>{"c.example"});
  EXPECT_FALSE(check.ok());
  // A line under a trusted name by another key is that witness missing.
  const std::string impostor =
      log.Sign(body) + ledger::CosignatureLine("a.example", c, body, 1700000000);
  check = CheckWitnesses(impostor, trusted, 0);
  EXPECT_EQ(check.missing.size(), 3u);
  EXPECT_TRUE(check.ok());
  EXPECT_FALSE(CheckWitnesses(impostor, trusted, 1).ok());
}

TEST_F(AuditExportTest, MissingFilesFail) {
  std::filesystem::remove(dir_ + "/" + ledger_export::kKeysFile);
  EXPECT_THAT(Verify().status, StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(RunAudit("verify " + dir_).exit_code, 1);
  EXPECT_EQ(RunAudit("verify " + tmp_.path() + "/nope").exit_code, 1);
  EXPECT_EQ(RunAudit("verify").exit_code, 2);
  EXPECT_EQ(RunAudit("frobnicate x").exit_code, 2);
  EXPECT_EQ(RunAudit("--help").exit_code, 0);
}

TEST(AuditKeyRotationTest, ReceiptsByTwoKeysBothInKeysVerify) {
  TempDir tmp;
  NoteSigner old_key(kOrigin, Ed25519PrivateKey::Generate());
  NoteSigner new_key(kOrigin, Ed25519PrivateKey::Generate());
  ExportSpec spec;
  spec.n = 100;
  spec.signers = {&old_key, &new_key};
  spec.key_of = [](uint64_t i) { return i < 60 ? size_t{0} : size_t{1}; };
  const std::string dir = tmp.path() + "/rotated";
  WriteExport(dir, spec);
  VerifyReport r = VerifyExport(dir);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.receipts_by_key[old_key.KeyName()], 60u);
  EXPECT_EQ(r.receipts_by_key[new_key.KeyName()], 40u);
  EXPECT_EQ(r.checkpoint_signed_by, std::vector<std::string>{new_key.KeyName()});
  RunResult run = RunAudit("verify " + dir);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("receipts verified: 100\n"), std::string::npos) << run.output;

  // Dropping the old key from `keys` makes receipt 0 unverifiable.
  WriteAll(dir + "/" + ledger_export::kKeysFile, new_key.VerifierKey() + "\n");
  r = VerifyExport(dir);
  EXPECT_THAT(r.status, StatusIs(absl::StatusCode::kUnauthenticated));
  ASSERT_TRUE(r.first_bad_index.has_value());
  EXPECT_EQ(*r.first_bad_index, 0u);
}

class AuditConsistencyTest : public ::testing::Test {
 protected:
  void Write(const std::string& name, uint64_t n,
             std::function<std::string(uint64_t)> bytes_of = ReceiptBytes) {
    ExportSpec spec;
    spec.n = n;
    spec.signers = {&signer_};
    spec.bytes_of = std::move(bytes_of);
    WriteExport(tmp_.path() + "/" + name, spec);
  }
  std::string Path(const std::string& name) { return tmp_.path() + "/" + name; }

  TempDir tmp_;
  NoteSigner signer_{kOrigin, Ed25519PrivateKey::Generate()};
};

TEST_F(AuditConsistencyTest, PrefixIsConsistentAndTheProofVerifies) {
  Write("old", 37);
  Write("new", 100);
  ConsistencyReport r = CheckConsistency(Path("old"), Path("new"));
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.old_checkpoint.tree_size, 37u);
  EXPECT_EQ(r.new_checkpoint.tree_size, 100u);
  EXPECT_TRUE(ledger::VerifyConsistency(37, 100, r.old_checkpoint.root_hash,
                                        r.new_checkpoint.root_hash, r.proof)
                  .ok());
  EXPECT_FALSE(r.proof.empty());
  // Just the old checkpoint file, as a witness keeps it.
  r = CheckConsistency(Path("old") + "/" + ledger_export::kCheckpointFile, Path("new"));
  EXPECT_TRUE(r.status.ok()) << r.status;
  RunResult run = RunAudit("consistency " + Path("old") + "/checkpoint " + Path("new"));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("consistency proof"), std::string::npos) << run.output;
  run = RunAudit("consistency --keys " + Path("old") + "/keys " + Path("old") + " " + Path("new"));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  // Equal and power-of-two sizes.
  Write("same", 100);
  EXPECT_TRUE(CheckConsistency(Path("same"), Path("new")).status.ok());
  Write("pow2", 64);
  EXPECT_TRUE(CheckConsistency(Path("pow2"), Path("new")).status.ok());
}

TEST_F(AuditConsistencyTest, ForkedLogIsInconsistentAtTheFirstDifference) {
  Write("old", 50);
  Write("new", 80, [](uint64_t i) { return i == 23 ? std::string("rewritten") : ReceiptBytes(i); });
  ConsistencyReport r = CheckConsistency(Path("old"), Path("new"));
  EXPECT_EQ(r.status.code(), absl::StatusCode::kDataLoss) << r.status;
  ASSERT_TRUE(r.first_bad_index.has_value());
  EXPECT_EQ(*r.first_bad_index, 23u);
  RunResult run = RunAudit("consistency " + Path("old") + " " + Path("new"));
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("first bad index: 23\n"), std::string::npos) << run.output;
  // With only the checkpoint file the fork is found, but not where.
  run = RunAudit("consistency " + Path("old") + "/checkpoint " + Path("new"));
  EXPECT_EQ(run.exit_code, 1) << run.output;
}

TEST_F(AuditConsistencyTest, ShrunkOrForeignLogIsRejected) {
  Write("old", 50);
  Write("new", 40);
  EXPECT_EQ(CheckConsistency(Path("old"), Path("new")).status.code(), absl::StatusCode::kDataLoss);
  NoteSigner other("other.example/receipts", Ed25519PrivateKey::Generate());
  ExportSpec spec;
  spec.n = 60;
  spec.signers = {&other};
  WriteExport(Path("foreign"), spec);
  // The foreign log's key is not trusted for the old checkpoint either.
  EXPECT_THAT(CheckConsistency(Path("old"), Path("foreign")).status,
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_EQ(RunAudit("consistency " + Path("old") + " " + Path("foreign")).exit_code, 1);
}

TEST(ExportFormatTest, LineRoundTripAndLenientWhitespace) {
  ledger_export::ExportedReceipt in{7, std::string("\0\x01\xff", 3), std::string(64, 's'),
                                    "a\"b\\c+0000000f"};
  std::string line = ledger_export::FormatReceiptLine(in);
  ASSERT_EQ(line.back(), '\n');
  line.pop_back();
  ledger_export::ExportedReceipt out;
  ASSERT_TRUE(ledger_export::ParseReceiptLine(line, out).ok()) << line;
  EXPECT_EQ(out.index, 7u);
  EXPECT_EQ(out.receipt, in.receipt);
  EXPECT_EQ(out.signature, in.signature);
  EXPECT_EQ(out.key_id, in.key_id);
  ASSERT_TRUE(ledger_export::ParseReceiptLine(
                  " { \"key_id\" : \"k+0000000\\u0030\", \"signature\":\"AA==\", \"receipt\":\"\","
                  " \"index\": 0 } ",
                  out)
                  .ok());
  EXPECT_EQ(out.key_id, "k+00000000");
  EXPECT_EQ(out.receipt, "");
}

TEST(ExportFormatTest, MalformedLinesAreRejected) {
  ledger_export::ExportedReceipt out;
  for (const char* bad : {
           "",
           "[]",
           "{\"index\":0,\"receipt\":\"\",\"signature\":\"\"}",
           "{\"index\":0,\"receipt\":\"\",\"signature\":\"\",\"key_id\":\"k\",\"x\":1}",
           "{\"index\":0,\"index\":0,\"receipt\":\"\",\"signature\":\"\",\"key_id\":\"k\"}",
           "{\"index\":-1,\"receipt\":\"\",\"signature\":\"\",\"key_id\":\"k\"}",
           "{\"index\":01,\"receipt\":\"\",\"signature\":\"\",\"key_id\":\"k\"}",
           "{\"index\":1.0,\"receipt\":\"\",\"signature\":\"\",\"key_id\":\"k\"}",
           "{\"index\":0,\"receipt\":\"Zh==\",\"signature\":\"\",\"key_id\":\"k\"}",
           "{\"index\":0,\"receipt\":\"\",\"signature\":\"\",\"key_id\":\"k\"} x",
           "{\"index\":0,\"receipt\":\"\",\"signature\":\"\",\"key_id\":\"k\"",
           "{\"index\":0,\"receipt\":\"\",\"signature\":\"\",\"key_id\":\"\\ud800\"}",
       }) {
    EXPECT_THAT(ledger_export::ParseReceiptLine(bad, out),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
  }
}

TEST(ExportFormatTest, WriterRefusesGapsAndReuse) {
  TempDir tmp;
  NoteSigner signer(kOrigin, Ed25519PrivateKey::Generate());
  absl::StatusOr<std::unique_ptr<ledger_export::ExportWriter>> w =
      ledger_export::ExportWriter::Create(tmp.path() + "/e");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ((*w)->AddReceipt({1, "x", signer.SignBytes("x"), signer.KeyName()}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*w)->AddReceipt({0, "x", "short", signer.KeyName()}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*w)->AddReceipt({0, "x", signer.SignBytes("x"), "no-hash"}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE((*w)->AddReceipt({0, "x", signer.SignBytes("x"), signer.KeyName()}).ok());
  CompactRange range;
  range.Append(ledger::LeafHash("x"));
  ASSERT_TRUE((*w)->Finish({signer.VerifierKey()},
                           signer.Sign(FormatCheckpointBody({kOrigin, 1, range.Root()})))
                  .ok());
  EXPECT_THAT((*w)->AddReceipt({1, "y", signer.SignBytes("y"), signer.KeyName()}),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(ledger_export::ExportWriter::Create(tmp.path() + "/e").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(VerifyExport(tmp.path() + "/e").status.ok());
}

TEST(ExportFormatTest, ContinueAppendsAfterExactlyTheReceiptsAlreadyThere) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/e";
  NoteSigner signer(kOrigin, Ed25519PrivateKey::Generate());
  ExportSpec spec;
  spec.n = 3;
  spec.signers = {&signer};
  WriteExport(dir, spec);
  EXPECT_THAT(ledger_export::ExportWriter::Continue(dir, 2).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(ledger_export::ExportWriter::Continue(tmp.path() + "/none", 0).status(),
              StatusIs(absl::StatusCode::kNotFound));
  {
    // Abandoned: the earlier export stays as it was.
    absl::StatusOr<std::unique_ptr<ledger_export::ExportWriter>> w =
        ledger_export::ExportWriter::Continue(dir, 3);
    ASSERT_TRUE(w.ok()) << w.status();
    EXPECT_THAT((*w)->AddReceipt({0, "x", signer.SignBytes("x"), signer.KeyName()}),
                StatusIs(absl::StatusCode::kInvalidArgument));
    ASSERT_TRUE((*w)->AddReceipt({3, "x", signer.SignBytes("x"), signer.KeyName()}).ok());
  }
  EXPECT_TRUE(VerifyExport(dir).status.ok());
  EXPECT_FALSE(std::filesystem::exists(dir + "/receipts.jsonl.part"));

  CompactRange range;
  for (uint64_t i = 0; i < 5; ++i) range.Append(ledger::LeafHash(ReceiptBytes(i)));
  absl::StatusOr<std::unique_ptr<ledger_export::ExportWriter>> w =
      ledger_export::ExportWriter::Continue(dir, 3);
  ASSERT_TRUE(w.ok()) << w.status();
  for (uint64_t i = 3; i < 5; ++i) {
    const std::string bytes = ReceiptBytes(i);
    ASSERT_TRUE((*w)->AddReceipt({i, bytes, signer.SignBytes(bytes), signer.KeyName()}).ok());
  }
  ASSERT_TRUE((*w)->Finish({signer.VerifierKey()},
                           signer.Sign(FormatCheckpointBody({kOrigin, 5, range.Root()})))
                  .ok());
  VerifyReport r = VerifyExport(dir);
  EXPECT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.receipts_verified, 5u);
  EXPECT_EQ(ReadLines(dir + "/" + ledger_export::kReceiptsFile).size(), 5u);
}

TEST(ExportFormatTest, CosignedNoteAppendsEachLineWithItsNewline) {
  EXPECT_EQ(ledger_export::CosignedNote("t\n\n\xe2\x80\x94 log AAAA\n",
                                        {"\xe2\x80\x94 w1 BBBB", "\xe2\x80\x94 w2 CCCC\n"}),
            "t\n\n\xe2\x80\x94 log AAAA\n\xe2\x80\x94 w1 BBBB\n\xe2\x80\x94 w2 CCCC\n");
}

TEST(KeyRingTest, ParsesAndRejects) {
  NoteSigner a(kOrigin, Ed25519PrivateKey::Generate());
  NoteSigner b(kOrigin, Ed25519PrivateKey::Generate());
  absl::StatusOr<ledger_export::KeyRing> ring =
      ledger_export::KeyRing::Parse(a.VerifierKey() + "\n" + b.VerifierKey() + "\n");
  ASSERT_TRUE(ring.ok()) << ring.status();
  EXPECT_EQ(ring->size(), 2u);
  EXPECT_NE(ring->Find(a.KeyName()), nullptr);
  EXPECT_EQ(ring->Find("nobody+00000000"), nullptr);
  EXPECT_THAT(ledger_export::KeyRing::Parse(""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ledger_export::KeyRing::Parse(a.VerifierKey()),
              StatusIs(absl::StatusCode::kInvalidArgument));  // no final newline
  EXPECT_THAT(ledger_export::KeyRing::Parse(a.VerifierKey() + "\n" + a.VerifierKey() + "\n"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ledger_export::KeyRing::Parse(a.VerifierKey() + "\n\n"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  absl::StatusOr<ledger_export::OpenedNote> opened = ring->OpenNote(b.Sign("hello\n"));
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->text, "hello\n");
}

}  // namespace
}  // namespace wams::auditor
