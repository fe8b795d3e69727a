// Receipt append latency with and without the retention job running: one
// client appends synced receipts one after another on real RocksDB, first
// alone, then while the job removes thousands of expired cases (each with
// its receipts' subject-index entries) in batches. Prints percentiles; no
// assertion (tests/retention asserts that every append succeeds).
//
//   build/ci/tests/bench/retention/retention_append_bench [cases] [batch_size]
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "broker/base/clock.h"
#include "broker/ledger/crypto/ed25519.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/ledger/note/note.h"
#include "broker/ledger/store/ledger.h"
#include "broker/retention/retention_job.h"
#include "broker/storage/record_keys.h"
#include "broker/storage/rocksdb/rocksdb_backend.h"
#include "broker/subjects/subject_key_table.h"

namespace {

namespace v1 = ::wams::broker::v1;
using ::wams::ledger::Ed25519PrivateKey;
using ::wams::ledger::NoteSigner;
using ::wams::ledger::store::Ledger;
using ::wams::ledger::store::LedgerOptions;

v1::Receipt MakeReceipt(const std::string& case_id, const std::string& pseudonym) {
  v1::Receipt r;
  r.set_kind(v1::RECEIPT_KIND_DECISION);
  r.set_outcome(v1::RECEIPT_OUTCOME_GRANTED);
  r.set_case_id(case_id);
  r.set_subject_pseudonym(pseudonym);
  r.set_requester_oin("00000001001234567000");
  r.set_target_oin("00000003234567890000");
  r.add_categories("care-involvement");
  return r;
}

struct Figures {
  size_t count = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0;
};

Figures Summarise(std::vector<double> us) {
  Figures f;
  if (us.empty()) return f;
  std::sort(us.begin(), us.end());
  auto at = [&](double q) {
    return us[std::min(us.size() - 1, static_cast<size_t>(q * us.size()))];
  };
  f.count = us.size();
  f.p50 = at(0.50);
  f.p90 = at(0.90);
  f.p99 = at(0.99);
  f.max = us.back();
  double sum = 0;
  for (double v : us) sum += v;
  f.mean = sum / static_cast<double>(us.size());
  return f;
}

void Print(const char* label, const Figures& f) {
  std::printf("%-22s appends %6zu  mean %7.0f us  p50 %7.0f  p90 %7.0f  p99 %7.0f  max %7.0f\n",
              label, f.count, f.mean, f.p50, f.p90, f.p99, f.max);
}

}  // namespace

int main(int argc, char** argv) {
  int cases = 2000;
  int batch_size = 100;
  if (argc > 1 && !absl::SimpleAtoi(argv[1], &cases)) return 2;
  if (argc > 2 && !absl::SimpleAtoi(argv[2], &batch_size)) return 2;

  std::string dir =
      (std::filesystem::temp_directory_path() / "wams-retention-bench-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) return 1;
  auto storage = wams::storage::RocksDbBackend::Open(dir + "/db", wams::storage::RocksDbOptions());
  if (!storage.ok()) return 1;
  LedgerOptions options;
  options.origin = "wams.bench.example/receipts";
  auto ledger = Ledger::Open(
      **storage, NoteSigner(options.origin, *Ed25519PrivateKey::FromSeed(std::string(32, 'b'))),
      options);
  if (!ledger.ok()) return 1;
  // The broker's key table: each client's key is made, and shredded by the job.
  auto keys = wams::subjects::SubjectKeyTable::Open(**storage, std::string(32, 'k'), 0);
  if (!keys.ok()) return 1;

  // Expired cases: each a case record and two receipts (two subject-index
  // entries) of a client of its own, closed two years ago.
  const absl::Time now = absl::Now();
  wams::base::SystemClock clock;
  {
    std::vector<std::thread> writers;
    std::atomic<int> next{0};
    for (int t = 0; t < 16; ++t) {
      writers.emplace_back([&] {
        for (int i = next++; i < cases; i = next++) {
          std::string case_id = absl::StrCat("0190a3c2-7d1e-7000-8000-", 100000 + i);
          v1::Case c;
          c.set_case_id(case_id);
          c.set_phase(v1::CASE_PHASE_CLOSED);
          c.mutable_closed_at()->set_seconds(absl::ToUnixSeconds(now - absl::Hours(2 * 24 * 365)));
          absl::StatusOr<std::string> pseudonym =
              (*keys)->Pseudonymize(absl::StrCat("subject-", i));
          if (!pseudonym.ok()) continue;
          c.add_clients()->set_subject_pseudonym(*pseudonym);
          wams::storage::WriteBatch batch;
          batch.Put(wams::storage::Family::kCases, wams::storage::CaseKey(case_id),
                    c.SerializeAsString());
          (void)(*storage)->Write(batch);
          (void)(*ledger)->Append(MakeReceipt(case_id, *pseudonym));
          (void)(*ledger)->Append(MakeReceipt(case_id, *pseudonym));
        }
      });
    }
    for (std::thread& w : writers) w.join();
  }

  auto append_once = [&](uint64_t n) {
    absl::Time start = absl::Now();
    absl::Status appended =
        (*ledger)
            ->Append(MakeReceipt("", wams::ledger::Sha256Bytes(absl::StrCat("other-", n))))
            .status();
    if (!appended.ok() && n == 0) std::fprintf(stderr, "append: %s\n", appended.ToString().c_str());
    bool ok = appended.ok();
    return ok ? absl::ToDoubleMicroseconds(absl::Now() - start) : -1.0;
  };

  // Alone.
  std::vector<double> alone;
  for (uint64_t n = 0; n < 3000; ++n) alone.push_back(append_once(n));

  // While the job runs.
  wams::retention::RetentionOptions retention;
  retention.batch_size = static_cast<size_t>(batch_size);
  wams::retention::RetentionJob job(
      {.backend = storage->get(), .ledger = ledger->get(), .keys = keys->get(), .clock = &clock},
      retention);
  std::atomic<bool> done{false};
  absl::Duration job_time;
  uint64_t removed = 0;
  std::thread runner([&] {
    absl::Time start = absl::Now();
    auto counts = job.RunOnce();
    job_time = absl::Now() - start;
    removed = counts.ok() ? counts->Total() : 0;
    done = true;
  });
  std::vector<double> during;
  for (uint64_t n = 3000; !done; ++n) during.push_back(append_once(n));
  runner.join();

  int failed = static_cast<int>(std::count(alone.begin(), alone.end(), -1.0) +
                                std::count(during.begin(), during.end(), -1.0));
  std::printf("expired cases %d, batch size %d: job removed %llu items in %s\n", cases, batch_size,
              static_cast<unsigned long long>(removed), absl::FormatDuration(job_time).c_str());
  Print("append alone", Summarise(alone));
  Print("append during the job", Summarise(during));
  std::printf("failed appends: %d\n", failed);
  keys->reset();
  ledger->reset();
  storage->reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return failed == 0 ? 0 : 1;
}
