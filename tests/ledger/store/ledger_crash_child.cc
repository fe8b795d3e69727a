// ledger_crash_child: appends receipts from several threads until killed.
//
//   ledger_crash_child <db_dir> <threads>
//
// Writes to stdout, one line per event, each with a single write(2) (atomic
// on a pipe) as soon as the event is final:
//   READY <tree_size>               the ledger opened
//   A <leaf_index> <receipt_id>     Append returned: the receipt is durable
//   C <tree_size> <root hex>        MakeCheckpoint returned: stored and synced
//   OPEN_FAILED <status>            the ledger refused to open (exit 2)
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "broker/ledger/store/ledger.h"
#include "broker/storage/rocksdb/rocksdb_backend.h"
#include "tests/ledger/store/test_util.h"

namespace {

using ::wams::storage::RocksDbBackend;
using ::wams::storage::RocksDbOptions;

void Emit(const std::string& line) {
  // One write per line keeps lines whole on a pipe (< PIPE_BUF bytes).
  ssize_t n = ::write(STDOUT_FILENO, line.data(), line.size());
  if (n != static_cast<ssize_t>(line.size())) std::_Exit(3);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace wams::ledger::store;
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <db_dir> <threads>\n", argv[0]);
    return 1;
  }
  const int threads = std::atoi(argv[2]);
  auto storage = RocksDbBackend::Open(argv[1], RocksDbOptions());
  if (!storage.ok()) {
    Emit(absl::StrCat("OPEN_FAILED ", storage.status().ToString(), "\n"));
    return 2;
  }
  LedgerOptions options;
  options.origin = testing::kOrigin;
  options.checkpoint_interval = absl::Milliseconds(25);  // the timer runs too
  auto ledger = Ledger::Open(**storage, testing::SignerFromSeed('c'), options);
  if (!ledger.ok()) {
    Emit(absl::StrCat("OPEN_FAILED ", ledger.status().ToString(), "\n"));
    return 2;
  }
  Ledger& log = **ledger;
  Emit(absl::StrCat("READY ", log.TreeSize(), "\n"));
  const std::string run = absl::StrCat(::getpid());

  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (uint64_t i = 0;; ++i) {
        wams::broker::v1::Receipt r = testing::MakeReceipt(i);
        r.set_receipt_id(absl::StrCat(run, "-", t, "-", i));
        auto s = log.Append(r);
        if (!s.ok()) {
          std::fprintf(stderr, "append failed: %s\n", s.status().ToString().c_str());
          std::_Exit(4);
        }
        Emit(absl::StrCat("A ", s->leaf_index(), " ", r.receipt_id(), "\n"));
      }
    });
  }
  for (;;) {
    absl::SleepFor(absl::Milliseconds(7));
    auto cp = log.MakeCheckpoint();
    if (cp.ok()) {
      Emit(absl::StrCat("C ", cp->tree_size(), " ",
                        wams::ledger::DigestHex(testing::ToDigest(cp->root_hash())), "\n"));
    }
  }
}
