// The C2SP tlog-witness protocol end to end (issue 19): a real broker pushes
// its checkpoints over HTTPS to two real `wams-audit witness-serve`
// processes and serves their cosignatures; `verify --min-witnesses 2` fails
// until both cosigned; a witness restarts and remembers its size; a broker
// restart learns the witnesses' sizes from their 409s; a forked checkpoint
// is refused (409 at the same size, 422 past it) and not cosigned.
#include <httplib.h>

#include <csignal>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "broker/ledger/crypto/ed25519.h"
#include "broker/ledger/merkle/merkle.h"
#include "broker/ledger/note/note.h"
#include "broker/witnessing/protocol.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/audit/audit_test_util.h"
#include "tests/testing/subprocess.h"

namespace wams::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kOrigin[] = "wams.voorbeeldstad.example/receipts";  // the example config's
constexpr char kW1[] = "w1.example/witness";
constexpr char kW2[] = "w2.example/witness";

// One `wams-audit witness-serve` process.
class WitnessProcess {
 public:
  WitnessProcess(const BrokerFixture& broker, std::string name) : broker_(broker), name_(name) {
    const std::string file = name_.substr(0, 2);
    key_file_ = Path(file + ".key");
    vkey_file_ = Path(file + ".vkey");
    state_dir_ = Path(file + "-state");
    log_file_ = Path(file + ".log");
    ledger::Ed25519PrivateKey key = ledger::Ed25519PrivateKey::Generate();
    WriteFile(key_file_, key.ToPem(), 0600);
    verifier_key_ = ledger::CosignatureVerifierKeyLine(name_, key.PublicKey());
    WriteFile(vkey_file_, verifier_key_ + "\n");
  }
  // Starts on `port` (0: any); true once it listens.
  bool Start(int port) {
    process_ = std::make_unique<Subprocess>(
        std::vector<std::string>{
            AuditBinary(), "witness-serve", "--listen", absl::StrCat("127.0.0.1:", port),
            "--tls-cert", (broker_.pki_dir() / "broker.crt").string(), "--tls-key",
            (broker_.pki_dir() / "broker.key").string(), "--witness-name", name_, "--witness-key",
            key_file_, "--log-keys", Path("log.keys"), "--state-dir", state_dir_},
        log_file_);
    std::optional<std::string> line = process_->ReadStdoutLine(absl::Seconds(20));
    const std::string prefix = "listening on 127.0.0.1:";
    if (!line.has_value() || !line->starts_with(prefix)) return false;
    port_ = std::stoi(line->substr(prefix.size()));
    return true;
  }
  int Stop() { return process_ == nullptr ? 0 : process_->Stop(SIGTERM); }
  // POSTs an add-checkpoint body over HTTPS, trusting the dev CA.
  httplib::Result Post(const std::string& body) const {
    httplib::SSLClient client("127.0.0.1", port_);
    client.set_ca_cert_path((broker_.pki_dir() / "ca.crt").string());
    client.enable_server_certificate_verification(true);
    return client.Post(witnessing::kAddCheckpointPath, body, "text/plain");
  }
  std::string ConfigLine() const {
    return absl::StrCat("witnesses { verifier_key: \"", verifier_key_,
                        "\" url: \"https://127.0.0.1:", port_, "\" ca_file: \"",
                        (broker_.pki_dir() / "ca.crt").string(), "\" }");
  }
  const std::string& vkey_file() const { return vkey_file_; }
  const std::string& log_file() const { return log_file_; }
  int port() const { return port_; }

 private:
  std::string Path(const std::string& name) const { return (broker_.root() / name).string(); }

  const BrokerFixture& broker_;
  std::string name_, key_file_, vkey_file_, state_dir_, log_file_, verifier_key_;
  std::unique_ptr<Subprocess> process_;
  int port_ = 0;
};

class WitnessPushTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The log's verifier key, from the dev PKI's receipt-signing key.
    absl::StatusOr<ledger::Ed25519PrivateKey> log_key = ledger::Ed25519PrivateKey::FromPem(
        ReadFile((broker_.pki_dir() / "receipt-signing.key").string()));
    ASSERT_TRUE(log_key.ok()) << log_key.status();
    WriteFile(Path("log.keys"), ledger::VerifierKeyLine(kOrigin, log_key->PublicKey()) + "\n");
    log_signer_.emplace(kOrigin, *std::move(log_key));
    ASSERT_TRUE(w1_.Start(0)) << ReadFile(w1_.log_file());
    ASSERT_TRUE(w2_.Start(0)) << ReadFile(w2_.log_file());
    AppendToConfig(broker_, w1_.ConfigLine());
    AppendToConfig(broker_, w2_.ConfigLine());
  }
  void TearDown() override {
    broker_.Stop();
    w1_.Stop();
    w2_.Stop();
  }

  std::string Path(const std::string& name) const { return (broker_.root() / name).string(); }
  v1::Checkpoint Newest() {
    grpc::ClientContext context;
    PrepareContext(&context);
    v1::Checkpoint checkpoint;
    grpc::Status status =
        AuditStub(broker_)->GetCheckpoint(&context, v1::GetCheckpointRequest(), &checkpoint);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return checkpoint;
  }
  static bool CosignedBy(const v1::Checkpoint& checkpoint, const std::string& name) {
    for (const std::string& line : checkpoint.cosignatures()) {
      if (absl::StartsWith(line, absl::StrCat("\xe2\x80\x94 ", name, " "))) return true;
    }
    return false;
  }
  // Polls the newest checkpoint until all of `names` cosigned it (the broker
  // pushes in the background); its size, or 0 when that did not happen
  // within a minute (a failure, not a timing measurement).
  uint64_t AwaitCosigned(const std::vector<std::string>& names) {
    const absl::Time deadline = absl::Now() + absl::Minutes(1);
    while (absl::Now() < deadline) {
      v1::Checkpoint checkpoint = Newest();
      bool all = checkpoint.tree_size() > 0;
      for (const std::string& name : names) all = all && CosignedBy(checkpoint, name);
      if (all) return checkpoint.tree_size();
      absl::SleepFor(absl::Milliseconds(100));
    }
    return 0;
  }
  int Verify(const std::string& dir, int min_witnesses, std::string* output) {
    output->clear();
    return RunCommand(
        {AuditBinary(), "verify", "--witness-key", w1_.vkey_file(), "--witness-key",
         w2_.vkey_file(), "--min-witnesses", std::to_string(min_witnesses), Path(dir)},
        output);
  }
  int Fetch(const std::string& dir, uint64_t tree_size, std::string* output) {
    return RunAuditCommand(broker_, "fetch", {"--tree-size", std::to_string(tree_size), Path(dir)},
                           output);
  }

  BrokerFixture broker_;
  std::optional<ledger::NoteSigner> log_signer_;
  WitnessProcess w1_{broker_, kW1};
  WitnessProcess w2_{broker_, kW2};
};

TEST_F(WitnessPushTest, VerifyWithMinWitnessesTwoFailsUntilBothCosigned) {
  // w2 is down at first: its port is in the config, nothing listens.
  const int w2_port = w2_.port();
  ASSERT_EQ(w2_.Stop(), 0);
  ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
  ASSERT_TRUE(AddAuditReceipts(broker_, 2).ok());
  const uint64_t one = AwaitCosigned({kW1});
  ASSERT_GT(one, 0u) << ReadFile(broker_.log_path());
  std::string output;
  ASSERT_EQ(Fetch("one", one, &output), 0) << output;
  EXPECT_EQ(Verify("one", 2, &output), 1) << output;
  EXPECT_THAT(output, HasSubstr("missing: w2.example/witness"));
  EXPECT_EQ(Verify("one", 1, &output), 0) << output;
  // The broker names the failing witness in its log.
  EXPECT_THAT(ReadFile(broker_.log_path()), HasSubstr("witness w2.example/witness"));

  // w2 comes up on its port; the broker's retry reaches it.
  ASSERT_TRUE(w2_.Start(w2_port)) << ReadFile(w2_.log_file());
  const uint64_t both = AwaitCosigned({kW1, kW2});
  ASSERT_GT(both, 0u) << ReadFile(broker_.log_path());
  ASSERT_EQ(Fetch("both", both, &output), 0) << output;
  EXPECT_EQ(Verify("both", 2, &output), 0) << output;

  // wams-broker --export carries the cosignatures too.
  const uint64_t last = AwaitCosigned({kW1, kW2});
  ASSERT_GT(last, 0u);
  ASSERT_EQ(broker_.Stop(), 0);
  ASSERT_EQ(broker_.ExportAndVerify(broker_.root() / "offline", &output), 0) << output;
  EXPECT_EQ(Verify("offline", 2, &output), 0) << output;
}

TEST_F(WitnessPushTest, RestartsOnBothSidesAreLearntFrom409) {
  ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
  ASSERT_TRUE(AddAuditReceipts(broker_, 1).ok());
  const uint64_t first = AwaitCosigned({kW1, kW2});
  ASSERT_GT(first, 0u) << ReadFile(broker_.log_path());

  // A restarted witness remembers its size: old 0 gets 409 naming it.
  const int w1_port = w1_.port();
  ASSERT_EQ(w1_.Stop(), 0);
  ASSERT_TRUE(w1_.Start(w1_port)) << ReadFile(w1_.log_file());
  v1::Checkpoint newest = Newest();
  httplib::Result conflict = w1_.Post(
      witnessing::FormatAddCheckpointRequest({.old_size = 0, .proof = {}, .note = newest.note()}));
  ASSERT_TRUE(conflict) << httplib::to_string(conflict.error());
  EXPECT_EQ(conflict->status, 409);
  EXPECT_EQ(conflict->get_header_value("Content-Type"), witnessing::kTreeSizeContentType);
  EXPECT_EQ(conflict->body, absl::StrCat(newest.tree_size(), "\n"));

  // A restarted broker knows no sizes: it pushes old 0, gets 409 and retries
  // with a proof from the witness's size.
  ASSERT_EQ(broker_.Stop(), 0);
  ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
  ASSERT_TRUE(AddAuditReceipts(broker_, 1).ok());
  const uint64_t after = AwaitCosigned({kW1, kW2});
  EXPECT_GT(after, first) << ReadFile(broker_.log_path());
  // Within one push: the 409 was followed at once by the retry, so no push
  // failed (a failed one is logged as "did not cosign").
  EXPECT_THAT(ReadFile(broker_.log_path()), Not(HasSubstr("did not cosign")));
}

TEST_F(WitnessPushTest, AWitnessShownAForkedCheckpointRefusesIt) {
  ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
  ASSERT_TRUE(AddAuditReceipts(broker_, 1).ok());
  const uint64_t size = AwaitCosigned({kW1, kW2});
  ASSERT_GT(size, 0u) << ReadFile(broker_.log_path());

  // A checkpoint signed with the log's own key, of the same size, another
  // root (a split view): 409, and not cosigned.
  const ledger::Digest other = ledger::LeafHash("forked");
  const std::string same_size =
      log_signer_->Sign(ledger::FormatCheckpointBody({kOrigin, size, other}));
  httplib::Result refused = w1_.Post(
      witnessing::FormatAddCheckpointRequest({.old_size = size, .proof = {}, .note = same_size}));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 409);
  // Past it, with a proof that does not lead from the cosigned root: 422.
  const std::string larger =
      log_signer_->Sign(ledger::FormatCheckpointBody({kOrigin, size + 1, other}));
  httplib::Result unprovable = w1_.Post(
      witnessing::FormatAddCheckpointRequest({.old_size = size, .proof = {other}, .note = larger}));
  ASSERT_TRUE(unprovable);
  EXPECT_EQ(unprovable->status, 422);
  EXPECT_THAT(ReadFile(w1_.log_file()), HasSubstr("ALARM"));
  // Malformed input is a 400, and the witness goes on.
  httplib::Result malformed = w1_.Post("old 1\nnot base64\n\n");
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 400);

  // The real log goes on being cosigned by both.
  ASSERT_TRUE(AddAuditReceipts(broker_, 1).ok());
  EXPECT_GT(AwaitCosigned({kW1, kW2}), size) << ReadFile(broker_.log_path());
}

}  // namespace
}  // namespace wams::testing
