// wams-ledger-scale: fills a broker's receipt log to millions of receipts
// and measures it there. Run by tests/load/scale.sh; not part of CI.
//
//   wams-ledger-scale fill  --config broker.textproto --to 10000000 [--threads 2]
//   wams-ledger-scale probe --config broker.textproto [--samples 2000] [--json]
//
// Both open the data directory, signing key and pseudonym key of the broker
// config (the broker must be stopped: RocksDB locks the directory).
//
// fill: the bulk path. Appends realistic receipt pairs (a GRANTED decision
// and its DELIVERED provider answer, as one RequestData makes) through the
// real Ledger API, so every receipt is signed, hashed into the tree, indexed
// and group-committed with fsync exactly as in the broker; only the gRPC,
// policy and provider legs are skipped. Signing runs on `--threads` threads,
// groups are up to 4096 receipts. Requests are spread over 100 receipts per
// case (case ids "scale-case-K") and per subject (pseudonym of
// "scale-subject-K"), so `probe` knows ids that exist. Ends with a
// checkpoint, so the next open checks nothing but the tail.
//
// probe: opens storage and ledger (timed, with the bytes read while opening:
// it must not read the whole log), then times, on random samples: inclusion
// proofs and consistency proofs at the current tree size, GetReceipt, and
// the first page (100) of Query by case and by subject, each cold (the first
// samples after open) and overall. Reports its peak RSS (VmHWM).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "broker/base/cli/command_line.h"
#include "broker/base/uuid.h"
#include "broker/config/config_loader.h"
#include "broker/ledger/crypto/sha256.h"
#include "broker/ledger/store/ledger.h"
#include "broker/ledger/store/ledger_config.h"
#include "broker/storage/rocksdb/rocksdb_backend.h"

namespace wams::load {
namespace {

namespace v1 = ::wams::broker::v1;
using ledger::store::Ledger;
using ledger::store::LedgerSetup;
using ::wams::storage::RocksDbBackend;
using Clock = std::chrono::steady_clock;

constexpr int kExitFailed = 1;
constexpr uint64_t kReceiptsPerCase = 100;
constexpr char kMunicipalityOin[] = "00000001001234567000";
constexpr char kSchoolOin[] = "00000003345678900000";

struct Flags {
  std::string command;
  std::string config;
  uint64_t to = 0;
  int threads = 2;
  int samples = 2000;
  bool json = false;
};

// The command line (CLI11, broker/base/cli/command_line.h): nullopt to go on, else
// the exit code (--help, --version, or a usage error printed on stderr).
std::optional<int> ParseFlags(int argc, char** argv, Flags& flags) {
  CLI::App app("Fills a broker's receipt log to a size, or probes its reads at that size.",
               "wams-ledger-scale");
  cli::AddVersionFlag(app);
  app.footer("Exit codes: 0 done, 1 failed, 2 bad command line.");
  app.require_subcommand(1);
  CLI::App* fill = app.add_subcommand("fill", "append receipts until the log holds N");
  fill->add_option("--config", flags.config, "the BrokerConfig")->option_text("FILE")->required();
  fill->add_option("--to", flags.to, "receipts in the log")
      ->option_text("N")
      ->required()
      ->check(CLI::PositiveNumber);
  fill->add_option("--threads", flags.threads, "appending threads (default 2)")
      ->option_text("T")
      ->check(CLI::PositiveNumber);
  CLI::App* probe = app.add_subcommand("probe", "time proofs and audit reads");
  probe->add_option("--config", flags.config, "the BrokerConfig")->option_text("FILE")->required();
  probe->add_option("--samples", flags.samples, "reads timed (default 2000)")
      ->option_text("N")
      ->check(CLI::PositiveNumber);
  probe->add_flag("--json", flags.json, "one JSON object on stdout");
  if (std::optional<int> done = cli::Parse(app, argc, argv)) return done;
  flags.command = fill->parsed() ? "fill" : "probe";
  return std::nullopt;
}

// A /proc/self/status field in kB ("VmHWM", "VmRSS"), or -1.
int64_t StatusKb(absl::string_view field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with(std::string(field) + ":")) {
      int64_t kb = -1;
      std::string digits;
      for (char c : line) {
        if (c >= '0' && c <= '9') digits += c;
      }
      if (!absl::SimpleAtoi(digits, &kb)) return -1;
      return kb;
    }
  }
  return -1;
}

// Bytes this process has read through read/pread (rchar), page cache included.
int64_t BytesRead() {
  std::ifstream in("/proc/self/io");
  std::string line;
  while (std::getline(in, line)) {
    int64_t n = 0;
    if (line.starts_with("rchar: ") && absl::SimpleAtoi(line.substr(7), &n)) return n;
  }
  return -1;
}

double MicrosSince(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

struct Opened {
  explicit Opened(ledger::store::Pseudonymizer p) : pseudonymizer(std::move(p)) {}
  v1::BrokerConfig config;
  std::unique_ptr<RocksDbBackend> storage;
  std::unique_ptr<Ledger> ledger;
  ledger::store::Pseudonymizer pseudonymizer;
  double storage_open_ms = 0;
  double ledger_open_ms = 0;
  int64_t open_bytes_read = 0;
};

absl::StatusOr<Opened> Open(const std::string& config_path, size_t max_batch) {
  absl::StatusOr<v1::BrokerConfig> config = config::LoadBrokerConfig(config_path);
  if (!config.ok()) return config.status();
  absl::StatusOr<LedgerSetup> setup = ledger::store::LoadLedgerSetup(config->ledger());
  if (!setup.ok()) return setup.status();
  Opened opened(setup->pseudonymizer);
  opened.config = *config;
  const int64_t read_before = BytesRead();
  Clock::time_point start = Clock::now();
  absl::StatusOr<std::unique_ptr<RocksDbBackend>> storage =
      RocksDbBackend::Open(config->data_dir(), ::wams::storage::RocksDbOptions());
  if (!storage.ok()) return storage.status();
  opened.storage = *std::move(storage);
  opened.storage_open_ms = MicrosSince(start) / 1000;
  ledger::store::LedgerOptions options = std::move(setup->options);
  options.max_batch = max_batch;
  start = Clock::now();
  absl::StatusOr<std::unique_ptr<Ledger>> ledger =
      Ledger::Open(*opened.storage, std::move(setup->signer), std::move(options));
  if (!ledger.ok()) return ledger.status();
  opened.ledger = *std::move(ledger);
  opened.ledger_open_ms = MicrosSince(start) / 1000;
  opened.open_bytes_read = BytesRead() - read_before;
  return opened;
}

// Two receipts per request.
std::string CaseId(uint64_t request) {
  return absl::StrCat("scale-case-", request / (kReceiptsPerCase / 2));
}
std::string SubjectId(uint64_t request) {
  return absl::StrCat("scale-subject-", request / (kReceiptsPerCase / 2));
}

// Receipt `n` of a fill that started at leaf `first`: a request's decision
// (n - first even) or its answer (odd), the pair adjacent.
v1::Receipt FillReceipt(uint64_t n, uint64_t first,
                        const ledger::store::Pseudonymizer& pseudonymizer) {
  const uint64_t request = n / 2;
  v1::Receipt r;
  r.set_receipt_id(base::NewUuidV7());
  absl::Time now = absl::Now();
  r.mutable_time()->set_seconds(absl::ToUnixSeconds(now));
  r.mutable_time()->set_nanos(static_cast<int32_t>(absl::ToUnixNanos(now) % 1000000000));
  r.set_case_id(CaseId(request));
  r.set_subject_pseudonym(pseudonymizer.Pseudonymize(SubjectId(request)));
  r.set_requester_oin(kMunicipalityOin);
  r.set_professional_id("wmo-consulent-12");
  r.set_target_oin(kSchoolOin);
  r.set_purpose(v1::PURPOSE_RESEARCH);
  r.add_categories("enrolment");
  r.add_categories("attendance");
  r.set_request_id(absl::StrCat("scale-req-", request));
  r.set_transaction_id(absl::StrCat("scale-tx-", request));
  r.set_policy_version("sha256:5e884898da28047151d0e56f8dc62927");
  r.set_justification_sha256(ledger::Sha256Bytes(absl::StrCat("justification ", request % 97)));
  if ((n - first) % 2 == 0) {
    r.set_kind(v1::RECEIPT_KIND_DECISION);
    r.set_outcome(v1::RECEIPT_OUTCOME_GRANTED);
    r.set_detail("data request");
  } else {
    r.set_kind(v1::RECEIPT_KIND_PROVIDER_ANSWER);
    r.set_outcome(v1::RECEIPT_OUTCOME_DELIVERED);
    r.set_decision_leaf_index(n - 1);
    r.set_payload_sha256(ledger::Sha256Bytes(absl::StrCat("payload ", request)));
    r.add_conditions("Discuss absence with the pupil's mentor before acting on it.");
    r.set_detail("PROVIDER_ANSWER_STATUS_PROVIDED");
  }
  return r;
}

int Fill(const Flags& flags) {
  // Bigger groups than the broker's 1024: one fsync per 4096 receipts.
  absl::StatusOr<Opened> opened = Open(flags.config, 4096);
  if (!opened.ok()) {
    std::cerr << "wams-ledger-scale: " << opened.status() << "\n";
    return kExitFailed;
  }
  Ledger& ledger = *opened->ledger;
  const uint64_t begin = ledger.TreeSize();
  if (begin >= flags.to) {
    std::cout << "tree size " << begin << " already >= " << flags.to << "\n";
    return 0;
  }
  std::cout << "filling from " << begin << " to " << flags.to << " receipts with " << flags.threads
            << " signing threads" << std::endl;

  // Receipts are claimed in pairs, so a decision and its answer stay adjacent.
  std::atomic<uint64_t> next{begin};
  absl::Mutex mu;
  int64_t outstanding = 0;
  absl::Status failure;
  constexpr int64_t kWindow = 16384;  // receipts signed but not yet durable
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < flags.threads; ++t) {
    threads.emplace_back([&] {
      for (;;) {
        const uint64_t n = next.fetch_add(2);
        if (n >= flags.to) return;
        {
          absl::MutexLock lock(&mu);
          mu.Await(absl::Condition(
              +[](int64_t* o) { return *o < kWindow; }, &outstanding));
          if (!failure.ok()) return;
          outstanding += 2;
        }
        for (uint64_t i = n; i < n + 2; ++i) {
          ledger.AppendAsync(FillReceipt(i, begin, opened->pseudonymizer),
                             [&](absl::StatusOr<v1::SignedReceipt> stored) {
                               absl::MutexLock lock(&mu);
                               --outstanding;
                               if (!stored.ok() && failure.ok()) failure = stored.status();
                             });
        }
        if ((n - begin) % 1000000 == 0 && n > begin) {
          std::cout << absl::StrFormat("  %d receipts, %.0f/s", n,
                                       static_cast<double>(n - begin) / (MicrosSince(start) / 1e6))
                    << std::endl;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(
        +[](int64_t* o) { return *o == 0; }, &outstanding));
    if (!failure.ok()) {
      std::cerr << "wams-ledger-scale: append failed: " << failure << "\n";
      return kExitFailed;
    }
  }
  const double seconds = MicrosSince(start) / 1e6;
  absl::StatusOr<v1::Checkpoint> checkpoint = ledger.MakeCheckpoint();
  if (!checkpoint.ok()) {
    std::cerr << "wams-ledger-scale: checkpoint failed: " << checkpoint.status() << "\n";
    return kExitFailed;
  }
  const uint64_t added = ledger.TreeSize() - begin;
  std::cout << absl::StrFormat(
                   "filled: tree size %d (+%d in %.1f s, %.0f receipts/s), checkpoint at %d",
                   ledger.TreeSize(), added, seconds, static_cast<double>(added) / seconds,
                   checkpoint->tree_size())
            << std::endl;
  return 0;
}

// Latencies in microseconds.
struct Series {
  explicit Series(std::string n) : name(std::move(n)) {}
  std::string name;
  std::vector<double> us;

  double At(double p) const {
    std::vector<double> sorted = us;
    std::sort(sorted.begin(), sorted.end());
    if (sorted.empty()) return 0;
    size_t rank = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size()));
    return sorted[std::min(rank, sorted.size() - 1)];
  }
  // The first `n` samples: the cold ones, right after open.
  double ColdMean(size_t n) const {
    n = std::min(n, us.size());
    double sum = 0;
    for (size_t i = 0; i < n; ++i) sum += us[i];
    return n == 0 ? 0 : sum / static_cast<double>(n);
  }
};

int Probe(const Flags& flags) {
  absl::StatusOr<Opened> opened = Open(flags.config, 1024);
  if (!opened.ok()) {
    std::cerr << "wams-ledger-scale: " << opened.status() << "\n";
    return kExitFailed;
  }
  Ledger& ledger = *opened->ledger;
  const uint64_t size = ledger.TreeSize();
  if (size < 2) {
    std::cerr << "wams-ledger-scale: the log is (nearly) empty; fill it first\n";
    return kExitFailed;
  }
  const uint64_t requests = size / 2;
  std::mt19937_64 random(42);
  auto below = [&](uint64_t n) {
    return std::uniform_int_distribution<uint64_t>(0, n - 1)(random);
  };

  Series inclusion{"inclusion proof"}, consistency{"consistency proof"}, receipt{"GetReceipt"},
      by_case{"Query by case (100)"}, by_subject{"Query by subject (100)"};
  size_t case_hits = 0;
  size_t subject_hits = 0;
  absl::Status failure;
  auto timed = [&](Series& series, auto&& body) {
    Clock::time_point start = Clock::now();
    absl::Status s = body();
    series.us.push_back(MicrosSince(start));
    if (!s.ok() && failure.ok()) failure = s;
  };
  for (int i = 0; i < flags.samples; ++i) {
    timed(inclusion, [&] { return ledger.GetInclusionProof(below(size), size).status(); });
    timed(consistency,
          [&] { return ledger.GetConsistencyProof(1 + below(size - 1), size).status(); });
    timed(receipt, [&] { return ledger.GetReceipt(below(size)).status(); });
    const uint64_t request = below(requests);
    timed(by_case, [&] {
      ledger::store::IndexQuery q;
      q.index = ledger::store::IndexKind::kCase;
      q.key = CaseId(request);
      absl::StatusOr<ledger::store::QueryPage> page = ledger.Query(q);
      if (page.ok()) case_hits += page->receipts.size();
      return page.status();
    });
    timed(by_subject, [&] {
      ledger::store::IndexQuery q;
      q.index = ledger::store::IndexKind::kSubject;
      q.key = opened->pseudonymizer.Pseudonymize(SubjectId(request));
      absl::StatusOr<ledger::store::QueryPage> page = ledger.Query(q);
      if (page.ok()) subject_hits += page->receipts.size();
      return page.status();
    });
  }
  if (!failure.ok()) {
    std::cerr << "wams-ledger-scale: a probe failed: " << failure << "\n";
    return kExitFailed;
  }
  const int64_t hwm_kb = StatusKb("VmHWM");
  const int64_t rss_kb = StatusKb("VmRSS");
  const std::vector<const Series*> all = {&inclusion, &consistency, &receipt, &by_case,
                                          &by_subject};
  if (flags.json) {
    std::vector<std::string> parts;
    for (const Series* s : all) {
      parts.push_back(absl::StrFormat(
          "\"%s\": {\"p50_us\": %.1f, \"p99_us\": %.1f, \"max_us\": %.1f, \"cold_mean_us\": %.1f}",
          s->name, s->At(50), s->At(99), s->At(100), s->ColdMean(20)));
    }
    std::cout << absl::StrFormat(
        "{\"tree_size\": %d, \"storage_open_ms\": %.1f, \"ledger_open_ms\": %.1f, "
        "\"open_bytes_read\": %d, \"samples\": %d, %s, \"avg_receipts_per_case_page\": %.1f, "
        "\"avg_receipts_per_subject_page\": %.1f, \"vm_hwm_kb\": %d, \"vm_rss_kb\": %d}\n",
        size, opened->storage_open_ms, opened->ledger_open_ms, opened->open_bytes_read,
        flags.samples, absl::StrJoin(parts, ", "), static_cast<double>(case_hits) / flags.samples,
        static_cast<double>(subject_hits) / flags.samples, hwm_kb, rss_kb);
    return 0;
  }
  std::cout << absl::StrFormat(
      "tree size %d: storage open %.1f ms, ledger open %.1f ms, %.1f MB read while opening\n", size,
      opened->storage_open_ms, opened->ledger_open_ms,
      static_cast<double>(opened->open_bytes_read) / 1e6);
  std::cout << absl::StrFormat("%-24s %10s %10s %10s %12s   (%d random samples each)\n", "",
                               "p50 us", "p99 us", "max us", "cold mean us", flags.samples);
  for (const Series* s : all) {
    std::cout << absl::StrFormat("%-24s %10.1f %10.1f %10.1f %12.1f\n", s->name, s->At(50),
                                 s->At(99), s->At(100), s->ColdMean(20));
  }
  std::cout << absl::StrFormat(
      "receipts per page: case %.1f, subject %.1f; probe RSS %d kB (peak %d kB)\n",
      static_cast<double>(case_hits) / flags.samples,
      static_cast<double>(subject_hits) / flags.samples, rss_kb, hwm_kb);
  return 0;
}

int Main(int argc, char** argv) {
  Flags flags;
  if (std::optional<int> done = ParseFlags(argc, argv, flags)) return *done;
  return flags.command == "fill" ? Fill(flags) : Probe(flags);
}

}  // namespace
}  // namespace wams::load

int main(int argc, char** argv) { return wams::load::Main(argc, argv); }
