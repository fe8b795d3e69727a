// outcome_store.h: idempotent requests. The first call with a request id
// runs; concurrent and later calls with the same id from the same party get
// the same outcome, so a provider is never asked twice for one request.
//
//   OutcomeStore::Claim claim = outcomes.Begin(key, std::move(done));
//   if (claim == OutcomeStore::Claim::kRun) { ... outcomes.Finish(key, outcome); }
//   // or, when the request did not happen (nothing receipted or forwarded):
//   //   outcomes.Abandon(key, unavailable);   // a retry runs it anew
//
// Finished outcomes (the whole answer or error, with its receipts, as a
// google.rpc.Status) are kept in the "idempotency" column family, and an
// outcome is durable before anyone hears it: Finish hands it to the store's
// writer thread, which writes every outcome finished meanwhile in one synced
// batch (one fsync for all, as the ledger's group commit) and only then calls
// the waiters. So a retry after a crash gets the acknowledged outcome and the
// provider is not asked again. (Finish runs on the ledger's committer thread,
// which must not wait for a disk itself.)
//
// When the storage cannot write (disk full), the waiters still get the
// outcome (its receipts are durable, the provider has answered); the store
// keeps it in memory, answers retries in this process from there, and writes
// it as soon as the storage can write again.
//
// Thread-safe.
#ifndef WAMS_BROKER_EXCHANGE_OUTCOME_STORE_H_
#define WAMS_BROKER_EXCHANGE_OUTCOME_STORE_H_

#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/ledger/store/storage.h"
#include "google/rpc/status.pb.h"

namespace wams::exchange {

struct OutcomeStoreOptions {
  // Make each outcome durable (synced write) before its waiters hear it.
  // Default: true.
  bool sync = true;
  // After a failed write, how long before the first retry of the outcomes
  // kept in memory; doubles up to retry_max_backoff. Default: 100 ms.
  absl::Duration retry_initial_backoff = absl::Milliseconds(100);
  // Default: 5 s.
  absl::Duration retry_max_backoff = absl::Seconds(5);
};

class OutcomeStore {
 public:
  using Waiter = absl::AnyInvocable<void(const google::rpc::Status&) &&>;
  enum class Claim { kRun, kAnswered };

  // Borrows `storage`, which must outlive the store.
  explicit OutcomeStore(const ledger::store::Storage& storage,
                        OutcomeStoreOptions options = OutcomeStoreOptions());
  // Writes what is queued, calls its waiters, stops the writer thread.
  ~OutcomeStore();

  OutcomeStore(const OutcomeStore&) = delete;
  OutcomeStore& operator=(const OutcomeStore&) = delete;

  // "exchange/<oin>/<request id>".
  static std::string Key(absl::string_view kind, absl::string_view caller_oin,
                         absl::string_view request_id);

  // kRun: the caller must run the request and call Finish() or Abandon();
  // `waiter` is then called with that outcome. kAnswered: `waiter` was (or
  // will be) called with a stored or in-flight outcome; the caller does
  // nothing more.
  Claim Begin(const std::string& key, Waiter waiter);

  // Stores `outcome` (durably, see above), then calls every waiter, on the
  // store's writer thread.
  void Finish(const std::string& key, const google::rpc::Status& outcome);

  // Calls every waiter with `outcome` and stores nothing: for an outcome
  // that means the request did not happen (nothing was receipted or
  // forwarded, e.g. the receipt log could not write), so that a retry with
  // the same request id runs it anew instead of getting this error forever.
  void Abandon(const std::string& key, const google::rpc::Status& outcome);

  // Outcomes kept in memory because the storage could not write them.
  size_t UnstoredCount() const;

 private:
  using Entry = std::pair<std::string, google::rpc::Status>;

  void WriterLoop();
  // Writes `entries` in one batch; false when the storage refused.
  bool Store(const std::vector<Entry>& entries);
  // Hands `entries` to their waiters (and, when unstored, to memory).
  void Complete(std::vector<Entry>& entries, bool stored);

  const ledger::store::Storage& storage_;
  const OutcomeStoreOptions options_;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::vector<Waiter>> in_flight_ ABSL_GUARDED_BY(mu_);
  std::vector<Entry> queue_ ABSL_GUARDED_BY(mu_);  // finished, not yet written
  absl::flat_hash_map<std::string, google::rpc::Status> unstored_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread writer_;
};

}  // namespace wams::exchange

#endif  // WAMS_BROKER_EXCHANGE_OUTCOME_STORE_H_
