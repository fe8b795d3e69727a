// ledger_bench: the receipt log's throughput and proof latency, and the
// auditor's verification rate, next to the raw ceilings they are built from
// (synced RocksDB writes, Ed25519 signing and verification).
//
//   build/store/tests/bench/ledger/ledger_bench
//
// Goals on 2 cores: >= 10,000 durable signed appends/s with 64 writers;
// inclusion proof at 1 M leaves <= 100 us; verify >= 80% of raw Ed25519 verification.
#include <stdlib.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <system_error>
#include <thread>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "broker/ledger/crypto/ed25519.h"
#include "broker/ledger/merkle/merkle.h"
#include "broker/ledger/note/note.h"
#include "broker/ledger/store/ledger.h"
#include "broker/storage/key_codec.h"
#include "broker/storage/rocksdb/rocksdb_backend.h"
#include "broker/tools/auditor/export_verifier.h"
#include "tests/ledger/testing/ledger_test_peer.h"

namespace wams::ledger::store {
namespace {

using ::wams::storage::Family;
using ::wams::storage::LeafKey;
using ::wams::storage::RocksDbBackend;
using ::wams::storage::RocksDbOptions;

constexpr char kOrigin[] = "wams.bench.example/receipts";

std::string MakeTempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "wams-ledger-bench-XXXXXX").string();
  return ::mkdtemp(tmpl.data()) != nullptr ? tmpl : std::string();
}

void RemoveDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

NoteSigner BenchSigner() {
  return NoteSigner(kOrigin, *Ed25519PrivateKey::FromSeed(std::string(32, 'b')));
}

// A realistic decision receipt (~250 bytes serialised).
wams::broker::v1::Receipt MakeReceipt(uint64_t n) {
  wams::broker::v1::Receipt r;
  r.set_receipt_id(absl::StrCat("0190a3c2-7d1e-7000-8000-", n));
  r.set_kind(wams::broker::v1::RECEIPT_KIND_DECISION);
  r.set_outcome(wams::broker::v1::RECEIPT_OUTCOME_GRANTED);
  r.mutable_time()->set_seconds(1700000000 + static_cast<int64_t>(n / 1000));
  r.set_case_id(absl::StrCat("case-", n % 5000));
  r.set_subject_pseudonym(DigestBytes(Sha256(absl::StrCat("subject-", n % 20000))));
  r.set_requester_oin("00000001001234567000");
  r.set_professional_id("prof-42");
  r.set_target_oin("00000001009876543000");
  r.add_categories("school-attendance");
  r.add_categories("care-involvement");
  r.set_request_id(absl::StrCat("req-", n));
  r.set_trace_id("4bf92f3577b34da6a3ce929d0e0e4736");
  r.set_policy_version("sha256:5e884898da28047151d0e56f8dc62927");
  r.set_justification_sha256(std::string(32, 'j'));
  return r;
}

// --- durable signed appends --------------------------------------------------

struct AppendState {
  std::string dir;
  std::unique_ptr<RocksDbBackend> storage;
  std::unique_ptr<Ledger> ledger;
  std::atomic<uint64_t> next{0};
};
AppendState* g_append = nullptr;

void BM_LedgerAppend(benchmark::State& state) {
  if (state.thread_index() == 0) {
    g_append = new AppendState;
    g_append->dir = MakeTempDir();
    g_append->storage = *RocksDbBackend::Open(g_append->dir + "/db", RocksDbOptions());
    LedgerOptions options;
    options.origin = kOrigin;
    g_append->ledger = *Ledger::Open(*g_append->storage, BenchSigner(), options);
  }
  for (auto _ : state) {
    auto r = g_append->ledger->Append(MakeReceipt(g_append->next.fetch_add(1)));
    if (!r.ok()) state.SkipWithError(std::string(r.status().message()).c_str());
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    state.counters["tree_size"] = static_cast<double>(g_append->ledger->TreeSize());
    g_append->ledger.reset();
    g_append->storage.reset();
    RemoveDir(g_append->dir);
    delete g_append;
    g_append = nullptr;
  }
}
BENCHMARK(BM_LedgerAppend)->Threads(1)->Threads(16)->Threads(64)->UseRealTime()->MinTime(3);

// --- raw ceiling: plain synced RocksDB writes ---------------------------------

struct PutState {
  std::string dir;
  std::unique_ptr<RocksDbBackend> storage;
  std::atomic<uint64_t> next{0};
};
PutState* g_put = nullptr;

void BM_RocksDbSyncPut(benchmark::State& state) {
  if (state.thread_index() == 0) {
    g_put = new PutState;
    g_put->dir = MakeTempDir();
    g_put->storage = *RocksDbBackend::Open(g_put->dir + "/db", RocksDbOptions());
  }
  const std::string value(300, 'v');
  for (auto _ : state) {
    ::wams::storage::WriteBatch put;
    put.Put(Family::kReceipts, LeafKey(g_put->next.fetch_add(1)), value);
    absl::Status s = g_put->storage->Write(put);
    if (!s.ok()) state.SkipWithError(std::string(s.message()).c_str());
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    g_put->storage.reset();
    RemoveDir(g_put->dir);
    delete g_put;
    g_put = nullptr;
  }
}
BENCHMARK(BM_RocksDbSyncPut)->Threads(1)->Threads(16)->Threads(64)->UseRealTime()->MinTime(3);

// --- raw ceiling: Ed25519 signing of a receipt ---------------------------------

void BM_Ed25519SignReceipt(benchmark::State& state) {
  static const NoteSigner* signer = new NoteSigner(BenchSigner());
  const std::string bytes = MakeReceipt(state.thread_index()).SerializeAsString();
  for (auto _ : state) benchmark::DoNotOptimize(signer->SignBytes(bytes));
  state.SetItemsProcessed(state.iterations());
  state.counters["receipt_bytes"] = static_cast<double>(bytes.size());
}
BENCHMARK(BM_Ed25519SignReceipt)->Threads(1)->Threads(2)->UseRealTime();

// --- proofs at 1 M leaves ----------------------------------------------------------

constexpr uint64_t kProofLeaves = 1'000'000;

struct ProofState {
  std::string dir;
  std::unique_ptr<RocksDbBackend> storage;
  std::unique_ptr<Ledger> ledger;
  double build_seconds = 0;
};

ProofState* g_proofs = nullptr;  // built on first use, removed by main()

ProofState& Proofs() {
  static ProofState* s = g_proofs = [] {
    auto* p = new ProofState;
    p->dir = MakeTempDir();
    p->storage = *RocksDbBackend::Open(p->dir + "/db", RocksDbOptions());
    LedgerOptions options;
    options.origin = kOrigin;
    options.checkpoint_interval = absl::ZeroDuration();
    p->ledger = *Ledger::Open(*p->storage, BenchSigner(), options);
    const absl::Time start = absl::Now();
    absl::Status filled = LedgerTestPeer::FillUnsigned(*p->ledger, kProofLeaves, 20'000);
    if (!filled.ok()) std::abort();
    if (!p->ledger->MakeCheckpoint().ok()) std::abort();
    p->build_seconds = absl::ToDoubleSeconds(absl::Now() - start);
    return p;
  }();
  return *s;
}

void BM_InclusionProof1M(benchmark::State& state) {
  ProofState& p = Proofs();
  std::mt19937_64 rng(42);
  for (auto _ : state) {
    auto proof = p.ledger->GetInclusionProof(rng() % kProofLeaves, kProofLeaves);
    if (!proof.ok()) state.SkipWithError(std::string(proof.status().message()).c_str());
    benchmark::DoNotOptimize(proof);
  }
  state.counters["build_s"] = p.build_seconds;
}
BENCHMARK(BM_InclusionProof1M)->Unit(benchmark::kMicrosecond);

void BM_InclusionProof1MNonPowerSize(benchmark::State& state) {
  ProofState& p = Proofs();
  std::mt19937_64 rng(43);
  for (auto _ : state) {
    const uint64_t size = kProofLeaves - 1 - rng() % 1000;  // an uneven right edge
    auto proof = p.ledger->GetInclusionProof(rng() % size, size);
    if (!proof.ok()) state.SkipWithError(std::string(proof.status().message()).c_str());
    benchmark::DoNotOptimize(proof);
  }
}
BENCHMARK(BM_InclusionProof1MNonPowerSize)->Unit(benchmark::kMicrosecond);

void BM_ConsistencyProof1M(benchmark::State& state) {
  ProofState& p = Proofs();
  std::mt19937_64 rng(44);
  for (auto _ : state) {
    auto proof = p.ledger->GetConsistencyProof(1 + rng() % (kProofLeaves - 1), kProofLeaves);
    if (!proof.ok()) state.SkipWithError(std::string(proof.status().message()).c_str());
    benchmark::DoNotOptimize(proof);
  }
}
BENCHMARK(BM_ConsistencyProof1M)->Unit(benchmark::kMicrosecond);

// --- wams-audit verify next to raw Ed25519 verification ------------------------

constexpr int kVerifyReceipts = 20'000;

// An export of kVerifyReceipts signed receipts, made once.
const std::string& VerifyExportDir() {
  static const std::string* dir = [] {
    auto* made = new std::string(MakeTempDir());
    std::unique_ptr<RocksDbBackend> storage =
        *RocksDbBackend::Open(*made + "/db", RocksDbOptions());
    LedgerOptions options;
    options.origin = kOrigin;
    options.checkpoint_interval = absl::ZeroDuration();
    std::unique_ptr<Ledger> ledger = *Ledger::Open(*storage, BenchSigner(), options);
    std::atomic<int> pending{kVerifyReceipts};
    for (int i = 0; i < kVerifyReceipts; ++i) {
      ledger->AppendAsync(
          MakeReceipt(static_cast<uint64_t>(i)),
          [&pending](absl::StatusOr<wams::broker::v1::SignedReceipt>) { pending.fetch_sub(1); });
    }
    while (pending.load() > 0) std::this_thread::yield();
    (void)ledger->MakeCheckpoint();
    (void)ledger->Export(*made + "/export");
    return made;
  }();
  return *dir;
}

void BM_Ed25519VerifyReceipt(benchmark::State& state) {
  static const NoteSigner* signer = new NoteSigner(BenchSigner());
  const std::string bytes = MakeReceipt(7).SerializeAsString();
  const std::string signature = signer->SignBytes(bytes);
  for (auto _ : state) {
    benchmark::DoNotOptimize(signer->key().PublicKey().Verify(bytes, signature));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Ed25519VerifyReceipt)->Threads(1)->Threads(2)->UseRealTime();

// wams-audit verify's work: every signature, the root, the checkpoint.
void BM_AuditVerifyExport(benchmark::State& state) {
  const std::string dir = VerifyExportDir() + "/export";
  wams::auditor::VerifyOptions options;
  options.threads = static_cast<int>(state.range(0));
  for (auto _ : state) {
    wams::auditor::VerifyReport report = wams::auditor::VerifyExport(dir, options);
    if (!report.status.ok()) state.SkipWithError(report.status.ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations() * kVerifyReceipts);
}
BENCHMARK(BM_AuditVerifyExport)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace wams::ledger::store

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  using wams::ledger::store::g_proofs;
  if (g_proofs != nullptr) {  // the 1 M-leaf database is large: do not leave it in /tmp
    g_proofs->ledger.reset();
    g_proofs->storage.reset();
    wams::ledger::store::RemoveDir(g_proofs->dir);
  }
  wams::ledger::store::RemoveDir(wams::ledger::store::VerifyExportDir());
  return 0;
}
