// Kill -9 under load with real processes (issue 9): a real broker, two
// recording providers and the acknowledging load client run; each round the
// broker is SIGKILLed at a random moment under load (sometimes a provider or
// the client with it) and restarted. After every kill:
//   - every acknowledged request's decision and answer receipts are in the
//     log at the acknowledged leaf, byte for byte (same SHA-256);
//   - every request a provider recorded has a durable GRANTED decision
//     receipt with its request and transaction id: nothing was forwarded
//     before its decision was on disk;
//   - the exported log verifies with `wams-audit verify`;
// and after every restart the broker serves again.
//
// The seed is printed and named in every failure; rerun a failure with
// WAMS_FAULT_SEED=<seed>.
#include <signal.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "broker/ledger/crypto/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/faults/exported_log.h"
#include "tests/faults/fault_processes.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/dev_parties.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::testing {
namespace {

using ::testing::HasSubstr;

constexpr int kRounds = 20;
constexpr int kInFlight = 8;

// One ACK line of the load client.
struct Ack {
  std::string transaction_id;
  uint64_t decision_leaf = 0;
  std::string decision_sha256;
  uint64_t answer_leaf = 0;
  std::string answer_sha256;
};

// The load client's acknowledgements, read as they come.
class AckReader {
 public:
  // Reads ACK lines until `until`; true if at least one arrived.
  bool ReadUntil(Subprocess& client, absl::Time until) {
    bool any = false;
    while (absl::Now() < until) {
      std::optional<std::string> line = client.ReadStdoutLine(until - absl::Now());
      if (!line.has_value()) break;
      any |= Parse(*line);
    }
    return any;
  }
  // Reads until an ACK whose decision is at `min_leaf` or later, which only
  // a broker started after a log of `min_leaf` receipts can give (true), or
  // until `timeout` (false).
  bool ReadFirst(Subprocess& client, uint64_t min_leaf, absl::Duration timeout) {
    absl::Time give_up = absl::Now() + timeout;
    while (absl::Now() < give_up) {
      std::optional<std::string> line = client.ReadStdoutLine(give_up - absl::Now());
      if (!line.has_value()) return false;
      if (Parse(*line) && last_decision_leaf_ >= min_leaf) return true;
    }
    return false;
  }
  // Reads what a killed client left in its pipe, up to EOF.
  void ReadToEnd(Subprocess& client) {
    while (std::optional<std::string> line = client.ReadStdoutLine(absl::Seconds(5))) {
      Parse(*line);
    }
  }

  const std::map<std::string, Ack>& acks() const { return acks_; }
  int errors() const { return errors_; }
  const std::string& last_error() const { return last_error_; }

 private:
  bool Parse(const std::string& line) {
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    if (f[0] == "ERR") {
      ++errors_;
      last_error_ = line;
    }
    Ack ack;
    if (f.size() != 7 || f[0] != "ACK" || !absl::SimpleAtoi(f[3], &ack.decision_leaf) ||
        !absl::SimpleAtoi(f[5], &ack.answer_leaf)) {
      return false;
    }
    ack.transaction_id = f[2];
    ack.decision_sha256 = f[4];
    ack.answer_sha256 = f[6];
    last_decision_leaf_ = ack.decision_leaf;
    acks_[f[1]] = std::move(ack);
    return true;
  }

  std::map<std::string, Ack> acks_;
  uint64_t last_decision_leaf_ = 0;
  int errors_ = 0;
  std::string last_error_;
};

// What an acknowledgement promises: both receipts at their leaves, unchanged.
std::string CheckAck(const ExportedLog& log, const std::string& request_id, const Ack& ack) {
  if (ack.decision_leaf >= log.receipts.size() || ack.answer_leaf >= log.receipts.size()) {
    return absl::StrCat(request_id, ": acknowledged leaves ", ack.decision_leaf, "/",
                        ack.answer_leaf, " are past the log's end ", log.receipts.size());
  }
  const v1::Receipt& decision = log.receipts[ack.decision_leaf];
  const v1::Receipt& answer = log.receipts[ack.answer_leaf];
  if (log.sha256[ack.decision_leaf] != ack.decision_sha256 ||
      log.sha256[ack.answer_leaf] != ack.answer_sha256) {
    return absl::StrCat(request_id, ": the receipt bytes at leaf ", ack.decision_leaf, " or ",
                        ack.answer_leaf, " differ from the acknowledged ones");
  }
  if (decision.request_id() != request_id || decision.kind() != v1::RECEIPT_KIND_DECISION ||
      decision.outcome() != v1::RECEIPT_OUTCOME_GRANTED ||
      decision.transaction_id() != ack.transaction_id) {
    return absl::StrCat(request_id, ": leaf ", ack.decision_leaf, " is not its granted decision");
  }
  if (answer.request_id() != request_id || answer.kind() != v1::RECEIPT_KIND_PROVIDER_ANSWER ||
      answer.outcome() != v1::RECEIPT_OUTCOME_DELIVERED ||
      answer.decision_leaf_index() != ack.decision_leaf) {
    return absl::StrCat(request_id, ": leaf ", ack.answer_leaf, " is not its delivered answer");
  }
  return "";
}

uint64_t SeedFromEnvironment() {
  uint64_t seed = 0;
  const char* text = std::getenv("WAMS_FAULT_SEED");
  if (text != nullptr && absl::SimpleAtoi(text, &seed)) return seed;
  return std::random_device()();
}

class KillUnderLoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"school", "neighbourhood-team"}) {
      providers_.push_back(std::make_unique<ProviderProcess>(ProviderProcessOptions{
          .pki_dir = broker_.pki_dir(),
          .cert_name = name,
          .record_file = (broker_.root() / absl::StrCat(name, ".records")).string(),
          .log_file = (broker_.root() / absl::StrCat(name, ".log")).string()}));
      ASSERT_TRUE(providers_.back()->Start()) << name;
    }
    ASSERT_EQ(broker_.ReplaceInConfig("127.0.0.1:7453", providers_[0]->endpoint()), 1);
    ASSERT_EQ(broker_.ReplaceInConfig("127.0.0.1:7451", providers_[1]->endpoint()), 1);
    ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
    // Restarts keep the port, so the load client rides through them.
    ASSERT_EQ(broker_.ReplaceInConfig("\"127.0.0.1:0\"",
                                      absl::StrCat("\"127.0.0.1:", broker_.port(), "\"")),
              1);
    absl::StatusOr<std::string> case_id =
        OpenResearchCase(broker_.Channel("municipality"), "crash-case", kClientBsn,
                         {v1::DOMAIN_EDUCATION, v1::DOMAIN_WELFARE});
    ASSERT_TRUE(case_id.ok()) << case_id.status();
    case_id_ = *case_id;
  }

  void StartClient(int run) {
    client_ = std::make_unique<Subprocess>(
        std::vector<std::string>{CrashLoadClientBinary(), "--pki", broker_.pki_dir().string(),
                                 "--port", std::to_string(broker_.port()), "--case", case_id_,
                                 "--bsn", kClientBsn, "--target",
                                 absl::StrCat(kSchoolOin, "=attendance"), "--target",
                                 absl::StrCat(kTeamOin, "=support_plan"), "--in-flight",
                                 std::to_string(kInFlight), "--prefix", absl::StrCat("run", run)},
        (broker_.root() / "client.log").string());
  }

  // Exports the stopped broker's log, verifies it with wams-audit, and checks
  // every acknowledgement and every provider record against it. The number of
  // receipts in the log.
  size_t CheckLog(int round) {
    std::filesystem::path dir = broker_.root() / absl::StrCat("export-", round);
    std::string output;
    EXPECT_EQ(broker_.ExportAndVerify(dir, &output), 0) << output;
    EXPECT_THAT(output, HasSubstr("verified"));
    ExportedLog log = ReadExport(dir);
    std::filesystem::remove_all(dir);

    std::vector<std::string> lost_acks;
    for (const auto& [request_id, ack] : acks_.acks()) {
      if (std::string problem = CheckAck(log, request_id, ack); !problem.empty()) {
        lost_acks.push_back(problem);
      }
    }
    std::vector<std::string> undecided;
    for (const std::unique_ptr<ProviderProcess>& provider : providers_) {
      for (const ProviderRecord& record : provider->Records()) {
        if (!HasGrantedDecision(log, record)) {
          undecided.push_back(
              absl::StrCat(record.request_id, " (transaction ", record.transaction_id, ")"));
        }
      }
    }
    EXPECT_TRUE(lost_acks.empty())
        << lost_acks.size() << " of " << acks_.acks().size()
        << " acknowledgements are not in the log as acknowledged; first: "
        << (lost_acks.empty() ? "" : lost_acks[0]);
    EXPECT_TRUE(undecided.empty())
        << undecided.size() << " requests reached a provider without a durable decision; first: "
        << (undecided.empty() ? "" : undecided[0]);
    return log.receipts.size();
  }

  BrokerFixture broker_;
  std::vector<std::unique_ptr<ProviderProcess>> providers_;
  std::unique_ptr<Subprocess> client_;
  AckReader acks_;
  std::string case_id_;
};

TEST_F(KillUnderLoadTest, AcknowledgedReceiptsSurviveAndNothingIsForwardedWithoutADecision) {
  const uint64_t seed = SeedFromEnvironment();
  std::cout << "kill-under-load seed " << seed << " (rerun: WAMS_FAULT_SEED=" << seed << ")\n";
  SCOPED_TRACE(absl::StrCat("seed ", seed, " (rerun with WAMS_FAULT_SEED=", seed, ")"));
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> load_ms(100, 500);
  const absl::Time start = absl::Now();
  int client_run = 0;
  int provider_kills = 0;
  int client_kills = 0;
  size_t receipts = 0;
  StartClient(client_run);

  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    // The broker serves (again): wait for the first acknowledgement, then
    // let the load run a random while.
    ASSERT_TRUE(acks_.ReadFirst(*client_, receipts, absl::Seconds(30)))
        << "no acknowledgement within 30 s; last failed call: " << acks_.last_error()
        << "; broker log:\n"
        << ReadFile(broker_.log_path());
    acks_.ReadUntil(*client_, absl::Now() + absl::Milliseconds(load_ms(rng)));

    // Sometimes a provider dies first (calls to it are in flight), sometimes
    // the client dies with the broker.
    ProviderProcess* killed_provider = nullptr;
    if (rng() % 4 == 0) {
      killed_provider = providers_[rng() % providers_.size()].get();
      killed_provider->Kill();
      ++provider_kills;
      acks_.ReadUntil(*client_, absl::Now() + absl::Milliseconds(rng() % 50));
    }
    const bool kill_client = rng() % 4 == 0;
    ASSERT_EQ(broker_.process().Stop(SIGKILL), 128 + SIGKILL);
    if (kill_client) {
      client_->Stop(SIGKILL);
      acks_.ReadToEnd(*client_);
      ++client_kills;
    } else {
      // An answer that arrived just before the kill is printed at once.
      acks_.ReadUntil(*client_, absl::Now() + absl::Milliseconds(20));
    }

    receipts = CheckLog(round);
    if (HasFailure()) return;

    if (killed_provider != nullptr) {
      ASSERT_TRUE(killed_provider->Start());
    }
    ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
    if (kill_client) StartClient(++client_run);
  }

  // A last round of service, then an orderly stop and the final check with
  // every acknowledgement the client printed.
  ASSERT_TRUE(acks_.ReadFirst(*client_, receipts, absl::Seconds(30)))
      << ReadFile(broker_.log_path());
  client_->Stop(SIGKILL);
  acks_.ReadToEnd(*client_);
  EXPECT_EQ(broker_.Stop(), 0);
  receipts = CheckLog(kRounds);

  size_t recorded = 0;
  for (const std::unique_ptr<ProviderProcess>& provider : providers_) {
    recorded += provider->Records().size();
  }
  EXPECT_GT(acks_.acks().size(), static_cast<size_t>(kRounds));
  std::cout << "rounds " << kRounds << ", acknowledged " << acks_.acks().size() << ", failed calls "
            << acks_.errors() << ", provider records " << recorded << ", receipts " << receipts
            << ", provider kills " << provider_kills << ", client kills " << client_kills << ", "
            << absl::ToDoubleSeconds(absl::Now() - start) << " s\n";
}

}  // namespace
}  // namespace wams::testing
