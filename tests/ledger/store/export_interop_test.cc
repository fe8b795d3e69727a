// The ledger's export passes the auditor's offline verifier (wams::audit, the
// engine of `wams-audit verify` and `wams-audit consistency`).
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "broker/ledger/store/ledger.h"
#include "broker/storage/rocksdb/rocksdb_backend.h"
#include "broker/tools/auditor/export_verifier.h"
#include "gtest/gtest.h"
#include "tests/ledger/store/test_util.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"

namespace wams::ledger::store {
namespace {

using ::wams::storage::RocksDbBackend;
using ::wams::storage::RocksDbOptions;
using ::wams::testing::StatusIs;

using testing::MakeReceipt;
using testing::SignerFromSeed;
using testing::TempDir;
using ::wams::testing::FakeClock;

class ExportInteropTest : public ::testing::Test {
 protected:
  void Open(char seed, std::vector<NoteVerifier> previous = {}) {
    ledger_.reset();
    if (storage_ == nullptr) storage_ = *RocksDbBackend::Open(dir_.Sub("db"), RocksDbOptions());
    LedgerOptions options;
    options.origin = testing::kOrigin;
    options.clock = &clock_;
    options.previous_verifiers = std::move(previous);
    auto l = Ledger::Open(*storage_, SignerFromSeed(seed), std::move(options));
    ASSERT_TRUE(l.ok()) << l.status();
    ledger_ = *std::move(l);
  }
  void AppendN(int n) {
    for (int i = 0; i < n; ++i) ASSERT_TRUE(ledger_->Append(MakeReceipt(i)).ok());
  }

  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<RocksDbBackend> storage_;
  std::unique_ptr<Ledger> ledger_;
};

TEST_F(ExportInteropTest, ExportAcrossAKeyRotationVerifiesOffline) {
  Open('a');
  AppendN(5);
  ASSERT_TRUE(ledger_->MakeCheckpoint().ok());
  ASSERT_TRUE(ledger_->Export(dir_.Sub("old")).ok());
  Open('b', {NoteVerifier(testing::kOrigin, SignerFromSeed('a').key().PublicKey())});
  AppendN(6);
  ASSERT_TRUE(ledger_->MakeCheckpoint().ok());
  ASSERT_TRUE(ledger_->Export(dir_.Sub("new")).ok());

  wams::auditor::VerifyReport report = wams::auditor::VerifyExport(dir_.Sub("new"));
  ASSERT_TRUE(report.status.ok()) << report.status;
  EXPECT_EQ(report.receipts_verified, 11u);
  EXPECT_EQ(report.checkpoint.tree_size, 11u);
  EXPECT_EQ(report.receipts_by_key[SignerFromSeed('a').KeyName()], 5u);
  EXPECT_EQ(report.receipts_by_key[SignerFromSeed('b').KeyName()], 6u);

  wams::auditor::ConsistencyReport consistency =
      wams::auditor::CheckConsistency(dir_.Sub("old") + "/checkpoint", dir_.Sub("new"));
  EXPECT_TRUE(consistency.status.ok()) << consistency.status;
}

TEST_F(ExportInteropTest, TamperedExportFailsOfflineVerification) {
  Open('a');
  AppendN(4);
  ASSERT_TRUE(ledger_->MakeCheckpoint().ok());
  const std::string out = dir_.Sub("export");
  ASSERT_TRUE(ledger_->Export(out).ok());
  // Drop the last receipt line.
  std::ifstream in(out + "/receipts.jsonl");
  std::stringstream text;
  text << in.rdbuf();
  std::string lines = text.str();
  lines.erase(lines.rfind('\n', lines.size() - 2) + 1);
  std::ofstream(out + "/receipts.jsonl", std::ios::trunc) << lines;
  wams::auditor::VerifyReport report = wams::auditor::VerifyExport(out);
  EXPECT_THAT(report.status, StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace wams::ledger::store
