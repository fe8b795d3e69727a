// ledger_options.h: the settings of the receipt log (Ledger::Open), one
// documented default per field, built once from the validated config
// (LoadLedgerSetup).
//
//   LedgerOptions options;
//   options.origin = "wams.utrecht.example/receipts";
//   options.checkpoint_interval = absl::Seconds(1);
//
// A plain value, not synchronised: the ledger keeps its own copy, which its
// rooms borrow.
#ifndef WAMS_BROKER_LEDGER_STORE_LEDGER_OPTIONS_H_
#define WAMS_BROKER_LEDGER_STORE_LEDGER_OPTIONS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "broker/base/clock.h"
#include "broker/base/message_limits.h"
#include "broker/ledger/note/note.h"
#include "broker/ledger/store/ledger_observer.h"

namespace wams::ledger::store {

struct LedgerOptions {
  // Origin line of checkpoints, e.g. "wams.utrecht.example/receipts".
  // Default: none; required.
  std::string origin;
  // Verifiers of earlier signing keys (key rotation): receipts and
  // checkpoints signed by them stay valid, and they appear in the export's
  // `keys` file. Default: empty.
  std::vector<NoteVerifier> previous_verifiers;
  // How often the checkpoint timer makes a checkpoint when the tree grew;
  // zero disables the timer (MakeCheckpoint() still works). Default: 1 s.
  absl::Duration checkpoint_interval = absl::Seconds(1);
  // Time source of the checkpoint timer; borrowed, must outlive the ledger.
  // Default: nullptr, meaning the system clock.
  const base::Clock* clock = nullptr;
  // Most receipts written in one WriteBatch. Default: 1024.
  size_t max_batch = 1024;
  // When a group is about to be committed while other receipts are still
  // being signed, wait at most this long for them to join it (one fsync for
  // all instead of two). Zero commits at once. Default: 200 us.
  absl::Duration max_commit_delay = absl::Microseconds(200);
  // Largest page an index query returns. Default: 1000.
  size_t max_page_size = 1000;
  // Largest receipt accepted, in signed bytes (the deterministic Receipt
  // serialisation that is signed and hashed); a larger one is refused before
  // anything is written (limits.max_receipt_bytes). Default: 64 KiB.
  size_t max_receipt_bytes = base::kDefaultMaxReceiptBytes;
  // On open, also rehash every stored receipt and check every stored node
  // (O(n)); otherwise open checks the last checkpoint's signature and root,
  // every receipt after it, and that no receipt is missing at the end.
  // Default: false.
  bool full_check_on_open = false;
  // Tree nodes at this level and above are kept in memory once read or
  // written (they never change), so a proof reads only the lower levels from
  // RocksDB. Memory: about 80 bytes per 2^level leaves (level 8: ~0.3 bytes
  // per receipt, 30 MB at 100 M receipts). 64 disables the cache. Default: 8.
  int node_cache_min_level = 8;
  // After a failed write, when reading the tree back from disk fails too,
  // wait this long before the next try; doubles up to recovery_max_backoff.
  // (Waiting for the database itself takes no backoff here: the storage
  // resumes it, and the ledger notices at once.) Default: 100 ms.
  absl::Duration recovery_initial_backoff = absl::Milliseconds(100);
  // Default: 5 s.
  absl::Duration recovery_max_backoff = absl::Seconds(5);
  // Told of every durable group and stored checkpoint (metrics); borrowed,
  // must outlive the ledger. Default: nullptr, nobody is told.
  LedgerObserver* observer = nullptr;
};

}  // namespace wams::ledger::store

#endif  // WAMS_BROKER_LEDGER_STORE_LEDGER_OPTIONS_H_
