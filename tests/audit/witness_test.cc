// Witness cosignatures read back, partners proving their own receipts, and
// continued fetches, against a real broker over loopback mTLS (issue 19):
// two configured witnesses; `verify|monitor|inclusion --witness-key FILE
// --min-witnesses N`; a witness shown a forked checkpoint refuses to cosign;
// GetInclusionProof for a receipt's own requester; `fetch --from N`; and the
// monitor's state across runs.
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "broker/ledger/crypto/ed25519.h"
#include "broker/ledger/note/note.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/audit/audit_test_util.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace wams::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kW1[] = "w1.example/witness";
constexpr char kW2[] = "w2.example/witness";

class WitnessReadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {kW1, kW2}) {
      const std::string key_file = PrivateKey(name);
      WriteFile(key_file, ledger::Ed25519PrivateKey::Generate().ToPem(), 0600);
      std::string vkey;
      ASSERT_EQ(RunCommand({AuditBinary(), "witness-key", "--witness-name", name, "--witness-key",
                            key_file},
                           &vkey),
                0)
          << vkey;
      WriteFile(VerifierKey(name), vkey);
      while (!vkey.empty() && vkey.back() == '\n') vkey.pop_back();
      AppendToConfig(broker_, "witnesses { verifier_key: \"" + vkey + "\" }");
    }
    ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
    std::string output;
    ASSERT_EQ(RunAuditCommand(broker_, "fetch", {Path("first-fetch")}, &output), 0) << output;
    keys_ = Path("first-fetch/keys");
  }

  std::string Path(const std::string& name) const { return (broker_.root() / name).string(); }
  std::string FileName(const std::string& witness) const {
    return witness.substr(0, witness.find('/'));
  }
  std::string PrivateKey(const std::string& witness) const {
    return Path(FileName(witness) + ".key");
  }
  std::string VerifierKey(const std::string& witness) const {
    return Path(FileName(witness) + ".vkey");
  }
  std::string State(const std::string& witness) const { return Path(FileName(witness) + ".state"); }
  // --witness-key for both witnesses and --min-witnesses n.
  std::vector<std::string> Trusting(int n) const {
    return {"--witness-key",  VerifierKey(kW1),  "--witness-key",
            VerifierKey(kW2), "--min-witnesses", std::to_string(n)};
  }

  // Cosigns what GetCheckpoint serves (--quick does not add a receipt, so
  // both witnesses see the same checkpoint).
  int Witness(const std::string& name, std::string* output) {
    return RunAuditCommand(broker_, "witness",
                           {"--keys", keys_, "--state", State(name), "--quick", "--witness-name",
                            name, "--witness-key", PrivateKey(name)},
                           output);
  }
  int Fetch(const std::string& dir, uint64_t tree_size, std::string* output) {
    return RunAuditCommand(broker_, "fetch", {"--tree-size", std::to_string(tree_size), Path(dir)},
                           output);
  }
  int Verify(const std::string& dir, int min_witnesses, std::string* output) {
    std::vector<std::string> argv = {AuditBinary(), "verify"};
    for (const std::string& arg : Trusting(min_witnesses)) argv.push_back(arg);
    argv.push_back(Path(dir));
    output->clear();
    return RunCommand(argv, output);
  }
  int Monitor(const std::vector<std::string>& extra, std::string* output) {
    std::vector<std::string> args = {"--keys", keys_, "--state", Path("monitor.state"), "--quick"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunAuditCommand(broker_, "monitor", args, output);
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

  BrokerFixture broker_;
  std::string keys_;
};

TEST_F(WitnessReadTest, VerifyWithMinWitnessesTwoFailsUntilBothCosigned) {
  ASSERT_TRUE(AddAuditReceipts(broker_, 2).ok());
  std::string output;
  ASSERT_EQ(Witness(kW1, &output), 0) << output;
  const uint64_t size = CheckpointFileSize(State(kW1));
  ASSERT_GT(size, 0u);

  // The export of that checkpoint carries w1's cosignature only.
  ASSERT_EQ(Fetch("one", size, &output), 0) << output;
  EXPECT_THAT(output, HasSubstr("cosignatures: 1"));
  EXPECT_EQ(Verify("one", 1, &output), 0) << output;
  EXPECT_THAT(output, HasSubstr("cosigned by witness: w1.example/witness"));
  EXPECT_EQ(Verify("one", 2, &output), 1) << output;
  EXPECT_THAT(output, HasSubstr("2 valid witness cosignatures required, 1 found; missing: "
                                "w2.example/witness"));

  // The fetch was receipted, so the log grew: both witnesses now cosign the
  // newest checkpoint (one after the other, the log unchanged between).
  ASSERT_EQ(Witness(kW1, &output), 0) << output;
  ASSERT_EQ(Witness(kW2, &output), 0) << output;
  const uint64_t cosigned = CheckpointFileSize(State(kW2));
  ASSERT_EQ(CheckpointFileSize(State(kW1)), cosigned) << "both cosigned the same checkpoint";
  ASSERT_EQ(Fetch("both", cosigned, &output), 0) << output;
  EXPECT_THAT(output, HasSubstr("cosignatures: 2"));
  EXPECT_EQ(Verify("both", 2, &output), 0) << output;
  EXPECT_THAT(output, HasSubstr("cosigned by witness: w2.example/witness"));
  // Still the log's own signed checkpoint: plain verify passes too.
  std::string plain;
  EXPECT_EQ(RunCommand({AuditBinary(), "verify", Path("both")}, &plain), 0) << plain;

  // monitor and inclusion take the same options, on what GetCheckpoint and
  // GetInclusionProof serve.
  ASSERT_EQ(Witness(kW1, &output), 0) << output;
  EXPECT_EQ(Monitor(Trusting(2), &output), 1) << output;
  EXPECT_THAT(output, HasSubstr("missing: w2.example/witness"));
  EXPECT_FALSE(std::filesystem::exists(Path("monitor.state")));
  ASSERT_EQ(Witness(kW2, &output), 0) << output;
  EXPECT_EQ(Monitor(Trusting(2), &output), 0) << output;
  EXPECT_TRUE(std::filesystem::exists(Path("monitor.state")));

  const std::vector<std::string> lines =
      absl::StrSplit(ReadFile(Path("both/receipts.jsonl")), '\n', absl::SkipEmpty());
  WriteFile(Path("held.jsonl"), lines.back() + "\n");
  std::vector<std::string> args = Trusting(2);
  args.insert(args.begin(), {"--keys", keys_});
  args.push_back(Path("held.jsonl"));
  EXPECT_EQ(RunAuditCommand(broker_, "inclusion", args, &output), 0) << output;
  EXPECT_THAT(output, HasSubstr("cosigned by witness: w1.example/witness"));
  // That proof's own receipt grew the log: the next proof is against a
  // checkpoint no witness has seen yet.
  EXPECT_EQ(RunAuditCommand(broker_, "inclusion", args, &output), 1) << output;
  EXPECT_THAT(output, HasSubstr("2 valid witness cosignatures required, 0 found"));
}

TEST_F(WitnessReadTest, WitnessShownAForkedCheckpointRefusesToCosign) {
  ASSERT_TRUE(AddAuditReceipts(broker_, 2).ok());
  std::string output;
  ASSERT_EQ(Witness(kW1, &output), 0) << output;
  const uint64_t size = CheckpointFileSize(State(kW1));
  // w2 was shown another tree of the same size, signed with the log's key
  // (a split view: the log key in the wrong hands, or a second broker).
  v1::Checkpoint honest = Checkpoint(size);
  absl::StatusOr<ledger::ParsedNote> note = ledger::ParseNote(honest.note());
  ASSERT_TRUE(note.ok()) << note.status();
  absl::StatusOr<ledger::Ed25519PrivateKey> log_key = ledger::Ed25519PrivateKey::FromPem(
      ReadFile((broker_.pki_dir() / "receipt-signing.key").string()));
  ASSERT_TRUE(log_key.ok()) << log_key.status();
  ledger::Digest forked_root{};
  forked_root[0] = 1;
  ledger::NoteSigner log(note->signatures[0].name, *std::move(log_key));
  WriteFile(State(kW2),
            log.Sign(ledger::FormatCheckpointBody({honest.origin(), size, forked_root})));

  EXPECT_EQ(Witness(kW2, &output), 1) << output;
  EXPECT_THAT(output, HasSubstr("ALARM: FORK"));
  EXPECT_EQ(Checkpoint(size).cosignatures_size(), 1) << "only w1's";
  ASSERT_EQ(Fetch("cosigned", size, &output), 0) << output;
  EXPECT_EQ(Verify("cosigned", 2, &output), 1) << output;
  EXPECT_THAT(output, HasSubstr("missing: w2.example/witness"));
}

// A receipt in which the ggz is the requester: its own refused audit query
// (refusals are receipted with the caller as requester).
uint64_t GgzReceiptLeaf(const BrokerFixture& broker, v1::SignedReceipt* held) {
  {
    grpc::ClientContext context;
    PrepareContext(&context);
    v1::Checkpoint ignored;
    EXPECT_EQ(AuditStub(broker, "ggz")
                  ->GetCheckpoint(&context, v1::GetCheckpointRequest(), &ignored)
                  .error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  grpc::ClientContext context;
  PrepareContext(&context);
  v1::ListReceiptsRequest request;
  request.set_party_oin(kGgzOin);
  v1::ListReceiptsResponse page;
  grpc::Status status = AuditStub(broker)->ListReceipts(&context, request, &page);
  EXPECT_TRUE(status.ok()) << status.error_message();
  for (const v1::SignedReceipt& r : page.receipts()) {
    v1::Receipt receipt;
    if (receipt.ParseFromString(r.receipt_bytes()) && receipt.requester_oin() == kGgzOin) {
      *held = r;
      return r.leaf_index();
    }
  }
  ADD_FAILURE() << "no receipt with the ggz as requester";
  return 0;
}

TEST_F(WitnessReadTest, PartnerGetsTheProofOfItsOwnReceiptAndNoOther) {
  v1::SignedReceipt held;
  const uint64_t own = GgzReceiptLeaf(broker_, &held);
  std::string json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(held, &json).ok());
  WriteFile(Path("ggz-receipt.json"), json);

  std::string output;
  const std::vector<std::string> args = {"--keys", keys_, Path("ggz-receipt.json")};
  EXPECT_EQ(RunAuditCommand(broker_, "inclusion", args, &output, "ggz"), 0) << output;
  EXPECT_THAT(output, HasSubstr(absl::StrCat("OK: receipt at leaf ", own, " is in the log")));

  // Another party's receipt (leaf 0 is the auditor's first fetch) and a leaf
  // that does not exist get the same answer.
  for (uint64_t leaf : {uint64_t{0}, uint64_t{1} << 40}) {
    grpc::ClientContext context;
    PrepareContext(&context);
    v1::GetInclusionProofRequest request;
    request.set_leaf_index(leaf);
    v1::InclusionProof proof;
    grpc::Status status = AuditStub(broker_, "ggz")->GetInclusionProof(&context, request, &proof);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << leaf;
    EXPECT_THAT(status.error_message(), Not(HasSubstr("exist")));
  }
  // Both refusals and the granted proof are receipted with the ggz as requester.
  grpc::ClientContext context;
  PrepareContext(&context);
  v1::ListReceiptsRequest request;
  request.set_party_oin(kGgzOin);
  v1::ListReceiptsResponse page;
  ASSERT_TRUE(AuditStub(broker_)->ListReceipts(&context, request, &page).ok());
  int proofs = 0;
  for (const v1::SignedReceipt& r : page.receipts()) {
    v1::Receipt receipt;
    ASSERT_TRUE(receipt.ParseFromString(r.receipt_bytes()));
    proofs += receipt.detail().find("GetInclusionProof") != std::string::npos;
  }
  EXPECT_EQ(proofs, 3);
}

TEST_F(WitnessReadTest, FetchFromContinuesTheEarlierFetchAndChecksItExtends) {
  std::string output;
  ASSERT_EQ(RunAuditCommand(broker_, "fetch", {Path("log")}, &output), 0) << output;
  const uint64_t first = CheckpointFileSize(Path("log/checkpoint"));
  ASSERT_TRUE(AddAuditReceipts(broker_, 3).ok());

  // A wrong --from leaves the directory alone.
  EXPECT_EQ(RunAuditCommand(broker_, "fetch", {"--from", std::to_string(first + 1), Path("log")},
                            &output),
            1)
      << output;
  EXPECT_EQ(CheckpointFileSize(Path("log/checkpoint")), first);

  ASSERT_EQ(
      RunAuditCommand(broker_, "fetch", {"--from", std::to_string(first), Path("log")}, &output), 0)
      << output;
  EXPECT_THAT(output, HasSubstr(absl::StrCat("continued from ", first)));
  const uint64_t second = CheckpointFileSize(Path("log/checkpoint"));
  EXPECT_GE(second, first + 4);
  std::string verified;
  EXPECT_EQ(RunCommand({AuditBinary(), "verify", Path("log")}, &verified), 0) << verified;
  EXPECT_THAT(verified, HasSubstr(absl::StrCat("receipts verified: ", second)));
  EXPECT_FALSE(std::filesystem::exists(Path("log/receipts.jsonl.part")));
}

TEST_F(WitnessReadTest, MonitorKeepsTheLastVerifiedCheckpointBetweenRuns) {
  const std::vector<std::string> w1 = {"--witness-key", VerifierKey(kW1), "--min-witnesses", "1"};
  std::string output;
  ASSERT_EQ(Monitor(w1, &output), 1) << output;  // nobody cosigned yet: nothing saved
  EXPECT_FALSE(std::filesystem::exists(Path("monitor.state")));
  ASSERT_EQ(Witness(kW1, &output), 0) << output;
  ASSERT_EQ(Monitor(w1, &output), 0) << output;
  EXPECT_THAT(output, HasSubstr("no saved checkpoint"));
  const uint64_t saved = CheckpointFileSize(Path("monitor.state"));

  ASSERT_TRUE(AddAuditReceipts(broker_, 2).ok());
  ASSERT_EQ(Witness(kW1, &output), 0) << output;
  ASSERT_EQ(Monitor(w1, &output), 0) << output;
  EXPECT_THAT(output,
              HasSubstr(absl::StrCat("consistent with the saved checkpoint of size ", saved)));
  EXPECT_GT(CheckpointFileSize(Path("monitor.state")), saved);
}

}  // namespace
}  // namespace wams::testing
