// postgres_storage_bench: PostgresBackend::Write throughput for group
// commits of 1 to 1024 receipts (about 8 rows each, as the ledger writes
// them), on a throwaway local PostgreSQL 15 with fsync on and no standby.
//
//   build/ci/tests/bench/storage/postgres_storage_bench
//
// Reports rows/s and batches/s (one writer: the ledger commits one group at
// a time). WAMS_BENCH_PG_CONNINFO=<conninfo> measures an existing cluster
// instead (each size in its own schema, bench_<receipts>).
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "broker/storage/postgres/postgres_backend.h"
#include "tests/testing/postgres_server.h"

namespace wams::storage::postgres {
namespace {

// Destroyed at exit: the server is stopped and its files removed.
testing::PostgresServer* Server() {
  static const std::unique_ptr<testing::PostgresServer> server = [] {
    auto started = testing::PostgresServer::Start();
    if (!started.ok()) {
      std::fprintf(stderr, "%s\n", std::string(started.status().message()).c_str());
      std::abort();
    }
    return *std::move(started);
  }();
  return server.get();
}

void BM_GroupCommit(benchmark::State& state) {
  const int receipts = static_cast<int>(state.range(0));
  PostgresOptions options;
  // WAMS_BENCH_PG_CONNINFO: an existing cluster instead (e.g. the HA one of
  // tests/ha/pg-cluster.sh, with its synchronous standby).
  const char* given = std::getenv("WAMS_BENCH_PG_CONNINFO");
  options.conninfo =
      given != nullptr ? std::string(given) : Server()->Conninfo(Server()->CreateDatabase());
  options.schema = absl::StrCat("bench_", receipts);
  options.node_name = "bench";
  auto backend = PostgresBackend::Create(options);
  if (!backend.ok()) {
    state.SkipWithError(std::string(backend.status().message()).c_str());
    return;
  }
  int64_t leaf = 0;
  int64_t rows = 0;
  for (auto _ : state) {
    WriteBatch batch;
    for (int i = 0; i < receipts; ++i, ++leaf) {
      std::string key = absl::StrCat("leaf-", 1'000'000'000 + leaf);
      batch.Put(Family::kReceipts, key, std::string(600, 'r'));
      batch.Put(Family::kNodes, key, std::string(32, 'h'));
      batch.Put(Family::kNodes, key + "/1", std::string(32, 'h'));
      batch.Put(Family::kIdxCase, key, "");
      batch.Put(Family::kIdxSubject, key, "");
      batch.Put(Family::kIdxParty, key, "\x01");
      batch.Put(Family::kIdxParty, key + "/2", "\x02");
      batch.Put(Family::kIdxTime, key, "");
    }
    batch.Put(Family::kMeta, "size", absl::StrCat(leaf));
    rows += static_cast<int64_t>(batch.size());
    absl::Status written = (*backend)->Write(batch);
    if (!written.ok()) {
      state.SkipWithError(std::string(written.message()).c_str());
      return;
    }
  }
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
  state.counters["batches/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["receipts/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * receipts, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_GroupCommit)->Arg(1)->Arg(16)->Arg(128)->Arg(1024)->UseRealTime()->MinTime(2.0);

}  // namespace
}  // namespace wams::storage::postgres

BENCHMARK_MAIN();
