// outcome_store.h: idempotent requests. The first call with a request id
// runs; concurrent and later calls with the same id from the same party get
// the same outcome, so a provider is never asked twice for one request.
//
//   OutcomeStore::Claim claim = outcomes.Begin(key, std::move(done));
//   if (claim == OutcomeStore::Claim::kRun) { ... outcomes.Finish(key, outcome); }
//
// Finished outcomes (the whole answer or error, with its receipts, as a
// google.rpc.Status) are kept in the "idempotency" column family. They are
// written without their own fsync (callers run on the ledger's committer
// thread, which must not wait on disk); the next synced write makes them
// durable, so a crash can lose only the newest outcomes, whose receipts are
// in the log. Thread-safe.
#ifndef WAMS_BROKER_EXCHANGE_OUTCOME_STORE_H_
#define WAMS_BROKER_EXCHANGE_OUTCOME_STORE_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "broker/ledger/store/storage.h"
#include "google/rpc/status.pb.h"

namespace wams::exchange {

class OutcomeStore {
 public:
  using Waiter = absl::AnyInvocable<void(const google::rpc::Status&) &&>;
  enum class Claim { kRun, kAnswered };

  // Borrows `storage`, which must outlive the store.
  explicit OutcomeStore(const ledger::store::Storage& storage) : storage_(storage) {}

  // "exchange/<oin>/<request id>".
  static std::string Key(absl::string_view kind, absl::string_view caller_oin,
                         absl::string_view request_id);

  // kRun: the caller must run the request and call Finish(); `waiter` is then
  // called with that outcome. kAnswered: `waiter` was (or will be) called with
  // a stored or in-flight outcome; the caller does nothing more.
  Claim Begin(const std::string& key, Waiter waiter);

  // Stores `outcome` and calls every waiter.
  void Finish(const std::string& key, const google::rpc::Status& outcome);

 private:
  const ledger::store::Storage& storage_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::vector<Waiter>> in_flight_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wams::exchange

#endif  // WAMS_BROKER_EXCHANGE_OUTCOME_STORE_H_
