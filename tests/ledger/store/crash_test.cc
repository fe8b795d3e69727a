// Crash test with real processes: a child appends under concurrent load and
// reports every acknowledged append and every checkpoint; the parent kills it
// with SIGKILL at a random moment, reopens the log and checks that every
// acknowledged receipt is there and provable, and that the tree is consistent
// with every checkpoint issued before the kill.
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "broker/ledger/merkle/merkle.h"
#include "broker/ledger/store/ledger.h"
#include "broker/storage/rocksdb/rocksdb_backend.h"
#include "gtest/gtest.h"
#include "tests/ledger/store/test_util.h"

extern char** environ;

namespace wams::ledger::store {
namespace {

using ::wams::storage::RocksDbBackend;
using ::wams::storage::RocksDbOptions;

using testing::TempDir;
using testing::ToDigest;

struct ChildRun {
  bool ready = false;
  std::string open_failure;
  std::map<uint64_t, std::string> acked;                      // leaf -> receipt id
  std::vector<std::pair<uint64_t, std::string>> checkpoints;  // size, root hex
};

void ParseLines(std::string& buffer, ChildRun& run) {
  size_t start = 0;
  for (size_t nl; (nl = buffer.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::vector<std::string> f = absl::StrSplit(buffer.substr(start, nl - start), ' ');
    uint64_t n = 0;
    if (f[0] == "READY") {
      run.ready = true;
    } else if (f[0] == "OPEN_FAILED") {
      run.open_failure = buffer.substr(start, nl - start);
    } else if (f[0] == "A" && f.size() == 3 && absl::SimpleAtoi(f[1], &n)) {
      run.acked[n] = f[2];
    } else if (f[0] == "C" && f.size() == 3 && absl::SimpleAtoi(f[1], &n)) {
      run.checkpoints.emplace_back(n, f[2]);
    }
  }
  buffer.erase(0, start);
}

// Runs the child until `kill_after` past READY (or past the start, with
// `during_open`, to kill it while it recovers), kills it with SIGKILL, and
// returns what it reported.
ChildRun RunAndKill(const std::string& db, absl::Duration kill_after, bool during_open) {
  ChildRun run;
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::string path = LEDGER_CRASH_CHILD_PATH;
  std::string threads = "8";
  char* argv[] = {path.data(), const_cast<char*>(db.c_str()), threads.data(), nullptr};
  pid_t pid = 0;
  EXPECT_EQ(posix_spawn(&pid, path.c_str(), &actions, nullptr, argv, environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);

  std::string buffer;
  char chunk[65536];
  absl::Time kill_at = during_open ? absl::Now() + kill_after : absl::InfiniteFuture();
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  bool killed = false;
  for (;;) {
    if (!killed && (absl::Now() >= kill_at || absl::Now() >= give_up)) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
    pollfd p{fds[0], POLLIN, 0};
    int timeout_ms = killed ? 1000 : 5;
    if (::poll(&p, 1, timeout_ms) > 0) {
      ssize_t n = ::read(fds[0], chunk, sizeof(chunk));
      if (n <= 0) break;  // EOF: the child is gone
      buffer.append(chunk, static_cast<size_t>(n));
      ParseLines(buffer, run);
      if (run.ready && kill_at == absl::InfiniteFuture()) kill_at = absl::Now() + kill_after;
      if (!run.open_failure.empty() && !killed) {
        ::kill(pid, SIGKILL);
        killed = true;
      }
    }
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return run;
}

TEST(CrashTest, AcknowledgedAppendsAndCheckpointsSurviveSigkill) {
  TempDir dir;
  const std::string db = dir.Sub("db");
  const uint32_t seed = std::random_device()();
  std::cout << "crash test seed " << seed << "\n";
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> delay_ms(5, 300);
  constexpr int kRounds = 24;
  uint64_t total_acked = 0;
  std::vector<std::pair<uint64_t, std::string>> all_checkpoints;
  std::map<uint64_t, std::string> all_acked;
  const absl::Time start = absl::Now();
  const Ed25519PublicKey signer_key = testing::SignerFromSeed('c').key().PublicKey();
  for (int round = 0; round < kRounds; ++round) {
    // Every fourth round kills the child within its first 40 ms, often while
    // it opens and checks the store.
    const bool during_open = round % 4 == 3;
    ChildRun run = RunAndKill(
        db, absl::Milliseconds(during_open ? delay_ms(rng) % 40 : delay_ms(rng)), during_open);
    ASSERT_TRUE(run.open_failure.empty()) << "round " << round << ": " << run.open_failure;
    if (!during_open) {
      ASSERT_TRUE(run.ready) << "round " << round;
    }
    total_acked += run.acked.size();
    all_acked.insert(run.acked.begin(), run.acked.end());
    all_checkpoints.insert(all_checkpoints.end(), run.checkpoints.begin(), run.checkpoints.end());

    auto storage = RocksDbBackend::Open(db, RocksDbOptions());
    ASSERT_TRUE(storage.ok()) << storage.status();
    LedgerOptions options;
    options.origin = testing::kOrigin;
    options.checkpoint_interval = absl::ZeroDuration();
    auto ledger = Ledger::Open(**storage, testing::SignerFromSeed('c'), options);
    ASSERT_TRUE(ledger.ok()) << "round " << round << ": " << ledger.status();
    const uint64_t size = (*ledger)->TreeSize();
    auto root = (*ledger)->RootAt(size);
    ASSERT_TRUE(root.ok()) << root.status();
    // Every acknowledged append, of this round and earlier ones, is present,
    // signed, and provable in the current tree.
    for (const auto& [leaf, id] : all_acked) {
      ASSERT_LT(leaf, size) << "round " << round << ": acknowledged leaf lost";
      auto r = (*ledger)->GetReceipt(leaf);
      ASSERT_TRUE(r.ok()) << r.status();
      wams::broker::v1::Receipt parsed;
      ASSERT_TRUE(parsed.ParseFromString(r->receipt_bytes()));
      ASSERT_EQ(parsed.receipt_id(), id) << "leaf " << leaf;
      if (run.acked.count(leaf) > 0) {  // signatures and proofs for this round's appends
        ASSERT_TRUE(signer_key.Verify(r->receipt_bytes(), r->signature()));
        auto proof = (*ledger)->GetInclusionProof(leaf, size);
        ASSERT_TRUE(proof.ok()) << proof.status();
        std::vector<Digest> hashes;
        for (const std::string& h : proof->hashes()) hashes.push_back(ToDigest(h));
        ASSERT_TRUE(VerifyInclusion(leaf, size, LeafHash(r->receipt_bytes()), hashes, *root).ok());
      }
    }
    // The tree extends every checkpoint issued before the kill.
    for (const auto& [cp_size, cp_root] : all_checkpoints) {
      ASSERT_LE(cp_size, size);
      auto at = (*ledger)->RootAt(cp_size);
      ASSERT_TRUE(at.ok());
      ASSERT_EQ(DigestHex(*at), cp_root) << "checkpoint at " << cp_size;
      auto proof = (*ledger)->GetConsistencyProof(cp_size, size);
      ASSERT_TRUE(proof.ok()) << proof.status();
      std::vector<Digest> hashes;
      for (const std::string& h : proof->hashes()) hashes.push_back(ToDigest(h));
      ASSERT_TRUE(VerifyConsistency(cp_size, size, *at, *root, hashes).ok());
      ASSERT_TRUE((*ledger)->GetCheckpoint(cp_size).ok()) << "checkpoint " << cp_size << " lost";
    }
    std::cout << "round " << round << (run.ready ? "" : " (killed during open)") << ": acked "
              << run.acked.size() << ", checkpoints " << run.checkpoints.size() << ", tree size "
              << size << "\n";
  }
  std::cout << "total acknowledged " << total_acked << " in " << absl::Now() - start << "\n";
  EXPECT_GT(total_acked, 0u);
  EXPECT_FALSE(all_checkpoints.empty());
}

}  // namespace
}  // namespace wams::ledger::store
