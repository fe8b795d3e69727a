// wams-audit's online commands with --json against a real broker: each
// prints one JSON object (broker/tools/README.md, "--json of the online
// commands") whose fields are checked against what the broker serves; a
// tampered log gives "ok": false, "alarm": true and exit 1.
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "broker/ledger/crypto/ed25519.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/audit/audit_test_util.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace wams::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

constexpr char kWitnessName[] = "witness.example/w1";

using Json = google::protobuf::Struct;

const google::protobuf::Value& Field(const Json& object, const std::string& name) {
  static const auto* const kNull = new google::protobuf::Value();
  auto found = object.fields().find(name);
  return found == object.fields().end() ? *kNull : found->second;
}
bool Has(const Json& object, const std::string& name) { return object.fields().contains(name); }
double Number(const Json& object, const std::string& name) {
  return Field(object, name).number_value();
}
const Json& Object(const Json& object, const std::string& name) {
  return Field(object, name).struct_value();
}

std::string Hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : bytes) {
    hex.push_back(kDigits[c >> 4]);
    hex.push_back(kDigits[c & 0xf]);
  }
  return hex;
}

class OnlineJsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    witness_key_path_ = Path("witness.key");
    WriteFile(witness_key_path_, ledger::Ed25519PrivateKey::Generate().ToPem(), 0600);
    std::string vkey;
    ASSERT_EQ(RunCommand({AuditBinary(), "witness-key", "--witness-name", kWitnessName,
                          "--witness-key", witness_key_path_},
                         &vkey),
              0)
        << vkey;
    while (!vkey.empty() && vkey.back() == '\n') vkey.pop_back();
    verifier_key_line_ = vkey;
    AppendToConfig(broker_, "witnesses { verifier_key: \"" + vkey + "\" }");
    ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
  }

  std::string Path(const std::string& name) const { return (broker_.root() / name).string(); }

  // Runs `wams-audit COMMAND --json ARGS` as the auditor; parses the one
  // JSON object it prints (stdout and stderr together: nothing else may be
  // printed).
  int Run(const std::string& command, std::vector<std::string> args, Json* out) {
    args.insert(args.begin(), "--json");
    std::string output;
    const int code = RunAuditCommand(broker_, command, args, &output);
    while (!output.empty() && output.back() == '\n') output.pop_back();
    EXPECT_EQ(output.find('\n'), std::string::npos) << "one line: " << output;
    *out = Json();
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(output, out).ok()) << output;
    EXPECT_EQ(Field(*out, "command").string_value(), command) << output;
    return code;
  }

  // The auditor's copy of the log's keys, as a first fetch gives them.
  std::string Keys() {
    if (!std::filesystem::exists(Path("first-fetch/keys"))) {
      Json ignored;
      EXPECT_EQ(Run("fetch", {Path("first-fetch")}, &ignored), 0);
    }
    return Path("first-fetch/keys");
  }
  int Monitor(Json* out, bool quick = false) {
    std::vector<std::string> args = {"--keys", Keys(), "--state", Path("monitor.state")};
    if (quick) args.push_back("--quick");
    return Run("monitor", args, out);
  }

  // Audit queries are receipted: each call adds one receipt to the log.
  void AddReceipts(int n) { ASSERT_TRUE(AddAuditReceipts(broker_, n).ok()); }
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
  // The JSON checkpoint object is the broker's checkpoint of that size.
  void ExpectBrokersCheckpoint(const Json& checkpoint) {
    const auto size = static_cast<uint64_t>(Number(checkpoint, "tree_size"));
    ASSERT_GT(size, 0u);
    v1::Checkpoint served = Checkpoint(size);
    EXPECT_EQ(Field(checkpoint, "origin").string_value(), served.origin());
    EXPECT_EQ(Field(checkpoint, "root").string_value(), Hex(served.root_hash()));
    EXPECT_THAT(Field(checkpoint, "root").string_value(), MatchesRegex("[0-9a-f]{64}"));
  }

  BrokerFixture broker_;
  std::string witness_key_path_;
  std::string verifier_key_line_;
};

TEST_F(OnlineJsonTest, FetchGivesTheExportsCheckpointAndReceiptCount) {
  Json fetched;
  ASSERT_EQ(Run("fetch", {Path("fetched")}, &fetched), 0);
  EXPECT_TRUE(Field(fetched, "ok").bool_value());
  EXPECT_FALSE(Field(fetched, "alarm").bool_value());
  EXPECT_FALSE(Has(fetched, "error"));
  EXPECT_EQ(Field(fetched, "dir").string_value(), Path("fetched"));
  const Json& checkpoint = Object(fetched, "checkpoint");
  ExpectBrokersCheckpoint(checkpoint);
  EXPECT_EQ(Number(fetched, "receipts"), Number(checkpoint, "tree_size"));
  EXPECT_EQ(Number(checkpoint, "cosignatures"), 0);
  const std::string lines = ReadFile(Path("fetched/receipts.jsonl"));
  EXPECT_EQ(Number(fetched, "receipts"),
            std::vector<std::string>(absl::StrSplit(lines, '\n', absl::SkipEmpty())).size());
}

TEST_F(OnlineJsonTest, MonitorAndWitnessReportTheCheckpointsAndTheirChecks) {
  Json first;
  ASSERT_EQ(Monitor(&first), 0);
  EXPECT_TRUE(Field(first, "ok").bool_value());
  EXPECT_TRUE(Field(first, "verified").bool_value());
  EXPECT_TRUE(Field(first, "first_checkpoint").bool_value());
  EXPECT_FALSE(Has(first, "saved"));
  EXPECT_FALSE(Has(first, "consistent"));
  EXPECT_TRUE(Field(first, "state_saved").bool_value());
  EXPECT_FALSE(Field(first, "quick").bool_value());
  EXPECT_EQ(Field(first, "state_file").string_value(), Path("monitor.state"));
  const Json& newest = Object(first, "checkpoint");
  ExpectBrokersCheckpoint(newest);
  EXPECT_EQ(Number(first, "receipts_verified"), Number(newest, "tree_size"));
  EXPECT_EQ(Number(newest, "tree_size"),
            static_cast<double>(CheckpointFileSize(Path("monitor.state"))));

  AddReceipts(3);
  Json second;
  ASSERT_EQ(Monitor(&second), 0);
  EXPECT_TRUE(Field(second, "consistent").bool_value());
  EXPECT_FALSE(Has(second, "first_checkpoint"));
  EXPECT_EQ(Object(second, "saved").fields().at("tree_size").number_value(),
            Number(newest, "tree_size"));
  EXPECT_EQ(Object(second, "saved").fields().at("root").string_value(),
            Field(newest, "root").string_value());
  EXPECT_GE(Number(Object(second, "checkpoint"), "tree_size"), Number(newest, "tree_size") + 3);
  ExpectBrokersCheckpoint(Object(second, "checkpoint"));

  Json quick;
  ASSERT_EQ(Monitor(&quick, /*quick=*/true), 0);
  EXPECT_TRUE(Field(quick, "quick").bool_value());
  EXPECT_TRUE(Field(quick, "consistent").bool_value());
  EXPECT_FALSE(Has(quick, "receipts_verified")) << "--quick checks only the signature";

  Json witnessed;
  ASSERT_EQ(Run("witness",
                {"--keys", Keys(), "--state", Path("witness.state"), "--witness-name", kWitnessName,
                 "--witness-key", witness_key_path_},
                &witnessed),
            0);
  EXPECT_TRUE(Field(witnessed, "ok").bool_value());
  EXPECT_TRUE(Field(witnessed, "cosigned").bool_value());
  EXPECT_EQ(Field(witnessed, "witness_name").string_value(), kWitnessName);
  const auto cosigned = static_cast<uint64_t>(Number(Object(witnessed, "checkpoint"), "tree_size"));
  EXPECT_EQ(Checkpoint(cosigned).cosignatures_size(), 1) << "the broker serves the cosignature";
}

TEST_F(OnlineJsonTest, InclusionReportsTheLeafAndAForgedReceiptIsAnAlarm) {
  AddReceipts(2);  // leaf 0's proof in a tree of more than one leaf has hashes
  Json fetched;
  ASSERT_EQ(Run("fetch", {Path("fetched")}, &fetched), 0);
  const std::vector<std::string> lines =
      absl::StrSplit(ReadFile(Path("fetched/receipts.jsonl")), '\n', absl::SkipEmpty());
  ASSERT_FALSE(lines.empty());
  WriteFile(Path("held.json"), lines[0] + "\n");
  Json proved;
  ASSERT_EQ(Run("inclusion", {"--keys", Path("fetched/keys"), Path("held.json")}, &proved), 0);
  EXPECT_TRUE(Field(proved, "ok").bool_value());
  EXPECT_EQ(Number(proved, "leaf_index"), 0);
  EXPECT_TRUE(Field(proved, "signature_verified").bool_value());
  EXPECT_TRUE(Field(proved, "included").bool_value());
  EXPECT_GT(Number(proved, "proof_hashes"), 0);
  ExpectBrokersCheckpoint(Object(proved, "checkpoint"));

  // Signed with the log's key but never appended: the proof fails.
  absl::StatusOr<ledger::Ed25519PrivateKey> log_key =
      ledger::Ed25519PrivateKey::FromPem(ReadFile(broker_.pki_dir() / "receipt-signing.key"));
  ASSERT_TRUE(log_key.ok());
  v1::SignedReceipt forged;
  forged.set_leaf_index(0);
  forged.set_receipt_bytes("never logged");
  forged.set_signature(log_key->Sign(forged.receipt_bytes()));
  // The key id is the note key name "name+hash": the first line's first two fields.
  const std::string key_line = ReadFile(Path("fetched/keys"));
  forged.set_key_id(key_line.substr(0, key_line.find('+', key_line.find('+') + 1)));
  std::string json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(forged, &json).ok());
  WriteFile(Path("forged.json"), json);
  Json refused;
  EXPECT_EQ(Run("inclusion", {"--keys", Path("fetched/keys"), Path("forged.json")}, &refused), 1);
  EXPECT_FALSE(Field(refused, "ok").bool_value());
  EXPECT_TRUE(Field(refused, "alarm").bool_value());
  EXPECT_TRUE(Field(refused, "signature_verified").bool_value());
  EXPECT_FALSE(Field(refused, "included").bool_value());
  EXPECT_THAT(Field(refused, "error").string_value(), HasSubstr("is NOT in the log"));
}

TEST_F(OnlineJsonTest, EditedReceiptIsAnAlarmNamingTheFirstBadIndex) {
  AddReceipts(3);
  Json honest;
  ASSERT_EQ(Monitor(&honest), 0);
  const double saved = Number(Object(honest, "checkpoint"), "tree_size");
  broker_.Stop();
  ASSERT_EQ(EditReceipt(DataDir(broker_), 1), "");
  ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());

  Json tampered;
  EXPECT_EQ(Monitor(&tampered), 1);
  EXPECT_FALSE(Field(tampered, "ok").bool_value());
  EXPECT_TRUE(Field(tampered, "alarm").bool_value());
  EXPECT_EQ(Number(tampered, "first_bad_index"), 1);
  EXPECT_FALSE(Field(tampered, "verified").bool_value());
  EXPECT_FALSE(Field(tampered, "consistent").bool_value());
  EXPECT_FALSE(Field(tampered, "state_saved").bool_value());
  EXPECT_FALSE(Has(tampered, "checkpoint"));
  EXPECT_EQ(Number(Object(tampered, "saved"), "tree_size"), saved);
  EXPECT_THAT(Field(tampered, "error").string_value(),
              HasSubstr("the log the broker serves does not verify"));
  EXPECT_EQ(static_cast<double>(CheckpointFileSize(Path("monitor.state"))), saved);
}

TEST_F(OnlineJsonTest, RollbackIsAnAlarmWithBothCheckpoints) {
  AddReceipts(2);
  Json early;
  ASSERT_EQ(Monitor(&early), 0);
  const auto early_size = static_cast<uint64_t>(Number(Object(early, "checkpoint"), "tree_size"));
  AddReceipts(4);
  Json later;
  ASSERT_EQ(Monitor(&later), 0);
  const double saved = Number(Object(later, "checkpoint"), "tree_size");
  broker_.Stop();
  ASSERT_EQ(DropReceiptsFrom(DataDir(broker_), early_size, /*drop_checkpoints=*/true), "");
  ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());

  Json rolled_back;
  EXPECT_EQ(Monitor(&rolled_back, /*quick=*/true), 1);
  EXPECT_FALSE(Field(rolled_back, "ok").bool_value());
  EXPECT_TRUE(Field(rolled_back, "alarm").bool_value());
  EXPECT_FALSE(Field(rolled_back, "consistent").bool_value());
  EXPECT_EQ(Number(Object(rolled_back, "saved"), "tree_size"), saved);
  EXPECT_LT(Number(Object(rolled_back, "checkpoint"), "tree_size"), saved);
  EXPECT_THAT(Field(rolled_back, "error").string_value(), HasSubstr("ROLLBACK"));
  EXPECT_FALSE(Field(rolled_back, "state_saved").bool_value());
}

TEST_F(OnlineJsonTest, WitnessKeyAndUnreachableBrokerGiveOneObject) {
  // witness-key needs no broker (no connection flags).
  std::string output;
  ASSERT_EQ(RunCommand({AuditBinary(), "witness-key", "--json", "--witness-name", kWitnessName,
                        "--witness-key", witness_key_path_},
                       &output),
            0)
      << output;
  Json key;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(output, &key).ok()) << output;
  EXPECT_TRUE(Field(key, "ok").bool_value());
  EXPECT_EQ(Field(key, "verifier_key").string_value(), verifier_key_line_);

  broker_.Stop();
  Json unreachable;
  EXPECT_EQ(Run("fetch", {Path("never")}, &unreachable), 1);
  EXPECT_FALSE(Field(unreachable, "ok").bool_value());
  EXPECT_FALSE(Field(unreachable, "alarm").bool_value()) << "not being able to ask is no alarm";
  EXPECT_THAT(Field(unreachable, "error").string_value(), HasSubstr("Export"));
}

}  // namespace
}  // namespace wams::testing
