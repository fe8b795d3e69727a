// Tampering with the stored log, detected by `wams-audit monitor` and
// `wams-audit witness` against a real broker: a receipt edited in RocksDB,
// the last receipts dropped, and a second history forked from an old
// checkpoint. Every test first lets the monitor save an honest checkpoint,
// then changes the store directly (the broker stopped, as an attacker with
// disk access would), restarts the broker and runs the tools again.
#include <filesystem>

#include "broker/ledger/crypto/ed25519.h"
#include "broker/ledger/note/note.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/audit/audit_test_util.h"
#include "tests/testing/temp_dir.h"

namespace wams::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kWitnessName[] = "witness.example/w1";

class TamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    witness_key_path_ = broker_.root() / "witness.key";
    WriteFile(witness_key_path_, witness_key_.ToPem(), 0600);
    std::string vkey;
    ASSERT_EQ(RunCommand({AuditBinary(), "witness-key", "--witness-name", kWitnessName,
                          "--witness-key", witness_key_path_.string()},
                         &vkey),
              0)
        << vkey;
    while (!vkey.empty() && vkey.back() == '\n') vkey.pop_back();
    AppendToConfig(broker_, "witnesses { verifier_key: \"" + vkey + "\" }");
    ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
    // The auditor's copy of the log's keys, as a first fetch gives them.
    std::string output;
    ASSERT_EQ(RunAuditCommand(broker_, "fetch", {Path("first-fetch")}, &output), 0) << output;
    keys_ = Path("first-fetch/keys");
  }

  std::string Path(const std::string& name) const { return (broker_.root() / name).string(); }

  // Audit queries are receipted: each call adds one receipt to the log.
  void AddReceipts(int n) { ASSERT_TRUE(AddAuditReceipts(broker_, n).ok()); }

  int Monitor(std::string* output, bool quick = false) {
    std::vector<std::string> args = {"--keys", keys_, "--state", Path("monitor.state")};
    if (quick) args.push_back("--quick");
    return RunAuditCommand(broker_, "monitor", args, output);
  }
  int Witness(std::string* output) {
    return RunAuditCommand(broker_, "witness",
                           {"--keys", keys_, "--state", Path("witness.state"), "--witness-name",
                            kWitnessName, "--witness-key", witness_key_path_.string()},
                           output);
  }
  uint64_t MonitorStateSize() const {
    return CheckpointFileSize((broker_.root() / "monitor.state").string());
  }
  v1::Checkpoint Checkpoint(uint64_t tree_size) {
    grpc::ClientContext context;
    PrepareContext(&context);
    v1::GetCheckpointRequest request;
    request.set_tree_size(tree_size);
    v1::Checkpoint checkpoint;
    grpc::Status status = AuditStub(broker_)->GetCheckpoint(&context, request, &checkpoint);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return checkpoint;
  }
  // Both tools have saved an honest checkpoint of the same log.
  void SaveHonestState() {
    std::string output;
    ASSERT_EQ(Monitor(&output), 0) << output;
    ASSERT_EQ(Witness(&output), 0) << output;
  }

  BrokerFixture broker_;
  ledger::Ed25519PrivateKey witness_key_ = ledger::Ed25519PrivateKey::Generate();
  std::filesystem::path witness_key_path_;
  std::string keys_;
};

TEST_F(TamperTest, HonestLogPassesAndTheWitnessCosignatureIsServed) {
  std::string output;
  ASSERT_EQ(Monitor(&output), 0) << output;
  EXPECT_THAT(output, HasSubstr("no saved checkpoint"));
  AddReceipts(3);
  ASSERT_EQ(Monitor(&output), 0) << output;
  EXPECT_THAT(output, HasSubstr("consistent with the saved checkpoint"));
  ASSERT_EQ(Monitor(&output, /*quick=*/true), 0) << output;

  ASSERT_EQ(Witness(&output), 0) << output;
  ASSERT_EQ(Witness(&output), 0) << output;  // the second run checks against the first
  uint64_t cosigned = CheckpointFileSize(Path("witness.state"));
  ASSERT_GT(cosigned, 0u);
  v1::Checkpoint checkpoint = Checkpoint(cosigned);
  ASSERT_EQ(checkpoint.cosignatures_size(), 1);
  absl::StatusOr<ledger::ParsedNote> note = ledger::ParseNote(checkpoint.note());
  ASSERT_TRUE(note.ok());
  EXPECT_TRUE(ledger::VerifyCosignatureLine(checkpoint.cosignatures(0), kWitnessName,
                                            witness_key_.PublicKey(), note->text)
                  .ok());

  // The broker refuses a cosignature that does not verify and an unknown witness.
  v1::AddCosignatureRequest forged;
  forged.set_tree_size(cosigned);
  forged.set_cosignature_line(ledger::CosignatureLine(
      kWitnessName, ledger::Ed25519PrivateKey::Generate(), note->text, 1700000000));
  v1::AddCosignatureResponse ignored;
  {
    grpc::ClientContext context;
    PrepareContext(&context);
    EXPECT_EQ(AuditStub(broker_)->AddCosignature(&context, forged, &ignored).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);  // the witness's name, another key
  }
  forged.set_cosignature_line(ledger::CosignatureLine(
      "other.example/w9", ledger::Ed25519PrivateKey::Generate(), note->text, 1700000000));
  {
    grpc::ClientContext context;
    PrepareContext(&context);
    EXPECT_EQ(AuditStub(broker_)->AddCosignature(&context, forged, &ignored).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_EQ(Checkpoint(cosigned).cosignatures_size(), 1);

  // What `fetch` wrote passes the offline verifier.
  ASSERT_EQ(RunAuditCommand(broker_, "fetch", {Path("fetched")}, &output), 0) << output;
  output.clear();
  ASSERT_EQ(RunCommand({AuditBinary(), "verify", Path("fetched")}, &output), 0) << output;
}

TEST_F(TamperTest, ReceiptEditedInRocksDbIsDetected) {
  AddReceipts(3);
  SaveHonestState();
  ASSERT_GT(MonitorStateSize(), 2u);
  broker_.Stop();
  // Leaf 1 lies inside the last checkpoint, so the broker's open check (which
  // looks at receipts after it) lets the store through.
  ASSERT_EQ(EditReceipt(DataDir(broker_), 1), "");
  ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());

  std::string output;
  EXPECT_EQ(Monitor(&output), 1) << output;
  EXPECT_THAT(output, HasSubstr("ALARM: the log the broker serves does not verify"));
  EXPECT_THAT(output, HasSubstr("first bad index: 1"));
  EXPECT_EQ(Witness(&output), 1) << output;
  EXPECT_THAT(output, HasSubstr("ALARM"));
  EXPECT_THAT(output, Not(HasSubstr("cosigned")));
  EXPECT_EQ(Checkpoint(0).cosignatures_size(), 0);
}

TEST_F(TamperTest, DroppedLastReceiptsAreDetected) {
  AddReceipts(2);
  std::string output;
  ASSERT_EQ(Monitor(&output), 0) << output;
  const uint64_t early = MonitorStateSize();
  AddReceipts(4);
  SaveHonestState();
  const uint64_t saved = MonitorStateSize();
  ASSERT_GT(saved, early);
  broker_.Stop();

  // Dropping receipts but keeping the checkpoints: the broker refuses to start.
  std::filesystem::copy(DataDir(broker_), Path("data-copy"),
                        std::filesystem::copy_options::recursive);
  ASSERT_EQ(DropReceiptsFrom(DataDir(broker_), early, /*drop_checkpoints=*/false), "");
  EXPECT_FALSE(broker_.Start());
  EXPECT_THAT(ReadFile(broker_.log_path()), HasSubstr("DATA_LOSS"));
  broker_.Stop();

  // Dropping the later checkpoints too makes a consistent, shorter log that
  // the broker serves: the tools see the rollback.
  std::filesystem::remove_all(DataDir(broker_));
  std::filesystem::copy(Path("data-copy"), DataDir(broker_),
                        std::filesystem::copy_options::recursive);
  ASSERT_EQ(DropReceiptsFrom(DataDir(broker_), early, /*drop_checkpoints=*/true), "");
  ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
  EXPECT_EQ(Monitor(&output, /*quick=*/true), 1) << output;
  EXPECT_THAT(output, HasSubstr("ALARM: ROLLBACK"));
  EXPECT_EQ(Witness(&output), 1) << output;
  EXPECT_THAT(output, HasSubstr("ALARM"));
  EXPECT_EQ(MonitorStateSize(), saved);  // the state is left as it was

  // Writing new receipts over the dropped ones: a rewritten history.
  AddReceipts(static_cast<int>(saved - early) + 2);
  EXPECT_EQ(Monitor(&output, /*quick=*/true), 1) << output;
  EXPECT_THAT(output, HasSubstr("ALARM: FORK OR REWRITE"));
  EXPECT_EQ(Monitor(&output), 1) << output;
  EXPECT_THAT(output, HasSubstr("ALARM: FORK OR REWRITE"));
  EXPECT_EQ(Witness(&output), 1) << output;
  EXPECT_EQ(Checkpoint(0).cosignatures_size(), 0);
}

TEST_F(TamperTest, SecondHistoryForkedFromAnOldCheckpointIsDetected) {
  AddReceipts(2);
  std::string output;
  ASSERT_EQ(Monitor(&output), 0) << output;
  broker_.Stop();
  const std::string fork_dir = Path("fork-data");
  std::filesystem::copy(DataDir(broker_), fork_dir, std::filesystem::copy_options::recursive);

  // The honest broker goes on, and the tools follow it.
  ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
  AddReceipts(3);
  SaveHonestState();
  const uint64_t saved = MonitorStateSize();
  broker_.Stop();

  // A broker on the copy appends a different history, longer than the
  // honest one; its own checkpoints are validly signed.
  ASSERT_EQ(broker_.ReplaceInConfig("../dev-data/broker", fork_dir), 1);
  ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
  AddReceipts(static_cast<int>(saved) + 3);
  EXPECT_EQ(Monitor(&output, /*quick=*/true), 1) << output;
  EXPECT_THAT(output, HasSubstr("ALARM: FORK OR REWRITE"));
  EXPECT_EQ(Monitor(&output), 1) << output;
  EXPECT_THAT(output, HasSubstr("ALARM: FORK OR REWRITE"));
  EXPECT_EQ(Witness(&output), 1) << output;
  EXPECT_THAT(output, HasSubstr("ALARM"));
  EXPECT_EQ(Checkpoint(0).cosignatures_size(), 0);
  EXPECT_EQ(MonitorStateSize(), saved);
}

}  // namespace
}  // namespace wams::testing
