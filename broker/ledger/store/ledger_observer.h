// ledger_observer.h: what the ledger tells a monitor about its commits.
//
// The narrow seam between the receipt log and the broker's metrics: the
// ledger knows nothing of Prometheus, and the metrics know nothing of how a
// group is written. A group commit reports, once durable, how long the
// backend write took and a summary of every receipt in it (never a subject,
// case or request id: only what a bounded label set may hold). A stored
// checkpoint reports its tree size.
//
//   LedgerOptions options;
//   options.observer = &my_observer;  // borrowed; must outlive the ledger
//
// Implementations are called from the committing thread (a committer thread
// or an Append caller) and the checkpoint thread, concurrently: they must be
// thread-safe, short and must not call back into the ledger.
#ifndef WAMS_BROKER_LEDGER_STORE_LEDGER_OBSERVER_H_
#define WAMS_BROKER_LEDGER_STORE_LEDGER_OBSERVER_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "wams/broker/v1/receipt.pb.h"

namespace wams::ledger::store {

// One durable receipt, as far as a monitor may know it.
struct CommittedReceipt {
  wams::broker::v1::ReceiptKind kind = wams::broker::v1::RECEIPT_KIND_UNSPECIFIED;
  wams::broker::v1::ReceiptOutcome outcome = wams::broker::v1::RECEIPT_OUTCOME_UNSPECIFIED;
  // Rule ids (R01..R29 and the validation ids): a bounded set.
  std::vector<std::string> failed_rule_ids;
  // From the moment Append was called to the moment the receipt was durable.
  absl::Duration append_latency;
};

class LedgerObserver {
 public:
  virtual ~LedgerObserver() = default;
  // A group was written durably: `write_time` is the one Backend::Write.
  virtual void OnGroupCommitted(absl::Duration write_time,
                                std::span<const CommittedReceipt> receipts) = 0;
  // A checkpoint of `tree_size` receipts was stored.
  virtual void OnCheckpointStored(uint64_t tree_size) = 0;
};

}  // namespace wams::ledger::store

#endif  // WAMS_BROKER_LEDGER_STORE_LEDGER_OBSERVER_H_
