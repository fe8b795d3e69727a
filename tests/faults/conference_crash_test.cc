// Kill -9 under conference load with real processes (issue 17: one atomic
// write per change): a real broker, a recording provider and the
// conference load client (conference_load_client.cc) run; each round the
// broker is SIGKILLed at a random moment and restarted. After every kill,
// with the log exported and verified by `wams-audit verify` and the data
// directory opened:
//   - every conference and item the log receipts is stored, and every stored
//     one has its receipt;
//   - every party a case lists as involved has a granted decision receipt of
//     a request to it in that case, and every such receipt's party is listed
//     (the involvement is written with the decision receipt, R21);
//   - every acknowledged change is in the log at its leaf, byte for byte, and
//     its conference or item is stored.
//
// The seed is printed and named in every failure; rerun a failure with
// WAMS_FAULT_SEED=<seed>.
#include <signal.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/ledger/export/export_format.h"
#include "broker/storage/rocksdb/rocksdb_backend.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/faults/fault_processes.h"
#include "tests/testing/broker_fixture.h"
#include "tests/testing/dev_parties.h"
#include "wams/broker/v1/case.pb.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::testing {
namespace {

using ::testing::HasSubstr;

constexpr int kRounds = 12;
constexpr int kInFlight = 4;

// A change the client was told about: its receipt's leaf and SHA-256, and
// the record it made ("conference/<id>", "conference-item/<id>/<item>" or
// "involved/<case id>/<oin>").
struct Ack {
  uint64_t leaf = 0;
  std::string sha256;
  std::string record;
};

// What a log export and a data directory hold, in the same key form.
struct State {
  std::set<std::string> receipted;  // from GRANTED receipts
  std::set<std::string> stored;     // from the cases family
  std::vector<std::string> sha256;  // by leaf
};

void ReadExport(const std::filesystem::path& dir, State& state) {
  std::string text = ReadFile(dir / ledger_export::kReceiptsFile);
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    ledger_export::ExportedReceipt exported;
    absl::Status parsed =
        ledger_export::ParseReceiptLine(std::string_view(line.data(), line.size()), exported);
    EXPECT_TRUE(parsed.ok()) << parsed;
    state.sha256.push_back(ledger::DigestHex(ledger::Sha256(exported.receipt)));
    v1::Receipt receipt;
    EXPECT_TRUE(receipt.ParseFromString(exported.receipt));
    if (receipt.outcome() != v1::RECEIPT_OUTCOME_GRANTED) continue;
    if (receipt.kind() == v1::RECEIPT_KIND_DECISION && !receipt.case_id().empty()) {
      state.receipted.insert(
          absl::StrCat("involved/", receipt.case_id(), "/", receipt.target_oin()));
      continue;
    }
    if (receipt.kind() != v1::RECEIPT_KIND_CONFERENCE_EVENT) continue;
    // "conference <id>: convened ..." and "conference <id>: item <id> shared ..."
    std::vector<std::string> words = absl::StrSplit(receipt.detail(), ' ');
    if (words.size() < 3 || words[0] != "conference") continue;
    const std::string conference_id = words[1].substr(0, words[1].size() - 1);
    if (words[2] == "convened") state.receipted.insert(absl::StrCat("conference/", conference_id));
    if (words.size() >= 5 && words[2] == "item" && words[4] == "shared") {
      state.receipted.insert(absl::StrCat("conference-item/", conference_id, "/", words[3]));
    }
  }
}

void ReadDataDirectory(const std::filesystem::path& data_dir, State& state) {
  auto storage =
      ::wams::storage::RocksDbBackend::Open(data_dir.string(), ::wams::storage::RocksDbOptions());
  ASSERT_TRUE(storage.ok()) << storage.status();
  absl::StatusOr<std::vector<::wams::storage::KeyValue>> rows = (*storage)->Scan(
      ::wams::storage::Family::kCases, ::wams::storage::ScanRange::From("", 1000000));
  ASSERT_TRUE(rows.ok()) << rows.status();
  for (const ::wams::storage::KeyValue& row : *rows) {
    const std::string& key = row.key;
    if (key.starts_with("conference")) {
      state.stored.insert(key);
      continue;
    }
    v1::Case c;
    ASSERT_TRUE(c.ParseFromString(row.value)) << key;
    for (const std::string& oin : c.involved_party_oins()) {
      state.stored.insert(absl::StrCat("involved/", c.case_id(), "/", oin));
    }
  }
}

// The keys in `a` and not in `b`, at most five, for a failure message.
std::string Missing(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::vector<std::string> out;
  for (const std::string& key : a) {
    if (!b.contains(key)) out.push_back(key);
  }
  if (out.size() > 5) out.resize(5);
  return absl::StrJoin(out, ", ");
}

uint64_t SeedFromEnvironment() {
  uint64_t seed = 0;
  const char* text = std::getenv("WAMS_FAULT_SEED");
  if (text != nullptr && absl::SimpleAtoi(text, &seed)) return seed;
  return std::random_device()();
}

std::string ConferenceLoadClientBinary() { return WAMS_CONFERENCE_LOAD_CLIENT_BINARY; }

class ConferenceCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    school_ = std::make_unique<ProviderProcess>(
        ProviderProcessOptions{.pki_dir = broker_.pki_dir(),
                               .cert_name = "school",
                               .record_file = (broker_.root() / "school.records").string(),
                               .log_file = (broker_.root() / "school.log").string()});
    ASSERT_TRUE(school_->Start());
    ASSERT_EQ(broker_.ReplaceInConfig("127.0.0.1:7453", school_->endpoint()), 1);
    ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
    // Restarts keep the port, so the load client rides through them.
    ASSERT_EQ(broker_.ReplaceInConfig("\"127.0.0.1:0\"",
                                      absl::StrCat("\"127.0.0.1:", broker_.port(), "\"")),
              1);
    client_ = std::make_unique<Subprocess>(
        std::vector<std::string>{ConferenceLoadClientBinary(), "--pki", broker_.pki_dir().string(),
                                 "--port", std::to_string(broker_.port()), "--bsn", kClientBsn,
                                 "--provider", absl::StrCat(kSchoolOin, "=attendance"),
                                 "--in-flight", std::to_string(kInFlight)},
        (broker_.root() / "client.log").string());
  }

  // Reads the client's lines until `until`; true once an acknowledgement at
  // `min_leaf` or later arrived (only a broker serving a log of `min_leaf`
  // receipts can give it).
  bool ReadAcks(absl::Time until, uint64_t min_leaf, bool stop_at_first) {
    bool fresh = false;
    while (absl::Now() < until) {
      std::optional<std::string> line = client_->ReadStdoutLine(until - absl::Now());
      if (!line.has_value()) break;
      std::vector<std::string> f = absl::StrSplit(*line, ' ');
      Ack ack;
      if (f[0] == "CONF" && f.size() == 4 && absl::SimpleAtoi(f[2], &ack.leaf)) {
        ack.sha256 = f[3];
        ack.record = absl::StrCat("conference/", f[1]);
      } else if (f[0] == "ITEM" && f.size() == 5 && absl::SimpleAtoi(f[3], &ack.leaf)) {
        ack.sha256 = f[4];
        ack.record = absl::StrCat("conference-item/", f[1], "/", f[2]);
      } else if (f[0] == "DATA" && f.size() == 4 && absl::SimpleAtoi(f[2], &ack.leaf)) {
        ack.sha256 = f[3];
        ack.record = absl::StrCat("involved/", f[1], "/", kSchoolOin);
      } else {
        if (f[0] == "ERR") last_error_ = *line;
        continue;
      }
      fresh |= ack.leaf >= min_leaf;
      acks_.push_back(std::move(ack));
      if (fresh && stop_at_first) return true;
    }
    return fresh;
  }

  // Checks the stopped broker's log and data directory; the log's size.
  size_t Check(int round) {
    std::filesystem::path dir = broker_.root() / absl::StrCat("export-", round);
    std::string output;
    EXPECT_EQ(broker_.ExportAndVerify(dir, &output), 0) << output;
    EXPECT_THAT(output, HasSubstr("verified"));
    State state;
    ReadExport(dir, state);
    std::filesystem::remove_all(dir);
    ReadDataDirectory(broker_.root() / "dev-data" / "broker", state);

    EXPECT_TRUE(state.receipted == state.stored)
        << "receipted, not stored: " << Missing(state.receipted, state.stored)
        << "; stored, not receipted: " << Missing(state.stored, state.receipted);
    int lost = 0;
    std::string first_lost;
    for (const Ack& ack : acks_) {
      if (ack.leaf < state.sha256.size() && state.sha256[ack.leaf] == ack.sha256 &&
          state.stored.contains(ack.record)) {
        continue;
      }
      if (lost++ == 0) first_lost = absl::StrCat(ack.record, " at leaf ", ack.leaf);
    }
    EXPECT_EQ(lost, 0) << "acknowledged changes lost; first: " << first_lost;
    stored_ = state.stored.size();
    return state.sha256.size();
  }

  BrokerFixture broker_;
  std::unique_ptr<ProviderProcess> school_;
  std::unique_ptr<Subprocess> client_;
  std::vector<Ack> acks_;
  std::string last_error_;
  size_t stored_ = 0;
};

TEST_F(ConferenceCrashTest, EveryChangeAndItsReceiptSurviveTogether) {
  const uint64_t seed = SeedFromEnvironment();
  std::cout << "conference-crash seed " << seed << " (rerun: WAMS_FAULT_SEED=" << seed << ")\n";
  SCOPED_TRACE(absl::StrCat("seed ", seed, " (rerun with WAMS_FAULT_SEED=", seed, ")"));
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> load_ms(100, 500);
  const absl::Time start = absl::Now();
  size_t receipts = 0;

  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    ASSERT_TRUE(ReadAcks(absl::Now() + absl::Seconds(30), receipts, /*stop_at_first=*/true))
        << "no acknowledgement within 30 s; last failed call: " << last_error_ << "; broker log:\n"
        << ReadFile(broker_.log_path());
    ReadAcks(absl::Now() + absl::Milliseconds(load_ms(rng)), 0, false);
    ASSERT_EQ(broker_.process().Stop(SIGKILL), 128 + SIGKILL);
    // An answer that arrived just before the kill is printed at once.
    ReadAcks(absl::Now() + absl::Milliseconds(20), 0, false);
    receipts = Check(round);
    if (HasFailure()) return;
    ASSERT_TRUE(broker_.Start()) << ReadFile(broker_.log_path());
  }
  ASSERT_TRUE(ReadAcks(absl::Now() + absl::Seconds(30), receipts, true));
  client_->Stop(SIGKILL);
  EXPECT_EQ(broker_.Stop(), 0);
  receipts = Check(kRounds);
  EXPECT_GT(acks_.size(), static_cast<size_t>(kRounds));
  std::cout << "rounds " << kRounds << ", acknowledged changes " << acks_.size()
            << ", stored records " << stored_ << ", receipts " << receipts << ", "
            << absl::ToDoubleSeconds(absl::Now() - start) << " s\n";
}

}  // namespace
}  // namespace wams::testing
