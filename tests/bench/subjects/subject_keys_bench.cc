// subject_keys_bench.cc: the cost of a subject's pseudonym on the request
// path, before (one global key, Pseudonymizer) and after (SubjectKeyTable,
// per-subject keys over RocksDB in a temp dir): with the key cached (every
// request after a subject's first), with no cache (a RocksDB point read per
// call), from several threads, and the first use of a subject (a synced
// write). Run: build/ci/tests/bench/subjects/subject_keys_bench
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "broker/ledger/store/pseudonymizer.h"
#include "broker/storage/rocksdb/rocksdb_backend.h"
#include "broker/subjects/subject_key_table.h"

namespace wams::subjects {
namespace {

constexpr int kSubjects = 10000;
const std::string kKeyFile(32, 'k');

std::string BsnOf(int i) { return absl::StrCat(100000000 + i); }

// One database for the whole run, its subjects' keys made once.
struct World {
  World() {
    dir = std::filesystem::temp_directory_path() / "wams-subject-keys-bench";
    std::filesystem::remove_all(dir);
    backend = *storage::RocksDbBackend::Open(dir.string(), storage::RocksDbOptions());
    warm = *SubjectKeyTable::Open(*backend, kKeyFile, 0);
    cold = *SubjectKeyTable::Open(*backend, kKeyFile, 0, {.cache_entries = 0});
    for (int i = 0; i < kSubjects; ++i) (void)warm->Pseudonymize(BsnOf(i));
  }
  ~World() {
    warm.reset();
    cold.reset();
    backend.reset();
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  std::unique_ptr<storage::RocksDbBackend> backend;
  std::unique_ptr<SubjectKeyTable> warm;
  std::unique_ptr<SubjectKeyTable> cold;
};

World& TheWorld() {
  static World* world = new World();
  return *world;
}

void BM_GlobalKeyPseudonymizer(benchmark::State& state) {
  const ledger::store::Pseudonymizer p = *ledger::store::Pseudonymizer::Create(kKeyFile);
  int i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(p.Pseudonymize(BsnOf(i++ % kSubjects)));
}
BENCHMARK(BM_GlobalKeyPseudonymizer);

void BM_SubjectKeysCached(benchmark::State& state) {
  SubjectKeyTable& keys = *TheWorld().warm;
  int i = state.thread_index() * 7919;
  for (auto _ : state) benchmark::DoNotOptimize(keys.Pseudonymize(BsnOf(i++ % kSubjects)));
}
BENCHMARK(BM_SubjectKeysCached)->Threads(1)->Threads(2)->Threads(8)->UseRealTime();

void BM_SubjectKeysUncached(benchmark::State& state) {
  SubjectKeyTable& keys = *TheWorld().cold;
  int i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(keys.Pseudonymize(BsnOf(i++ % kSubjects)));
}
BENCHMARK(BM_SubjectKeysUncached);

void BM_SubjectKeysFind(benchmark::State& state) {
  SubjectKeyTable& keys = *TheWorld().warm;
  int i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(keys.Find(BsnOf(i++ % kSubjects)));
}
BENCHMARK(BM_SubjectKeysFind);

// A subject's first use: the key is made and written (WAL fsync).
void BM_SubjectKeysFirstUse(benchmark::State& state) {
  SubjectKeyTable& keys = *TheWorld().warm;
  int i = kSubjects;
  for (auto _ : state) benchmark::DoNotOptimize(keys.Pseudonymize(BsnOf(i++)));
}
BENCHMARK(BM_SubjectKeysFirstUse)->Iterations(500);

}  // namespace
}  // namespace wams::subjects

BENCHMARK_MAIN();
