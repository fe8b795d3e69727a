// outcome_store.h: idempotent requests. The first call with a request id
// runs; concurrent and later calls with the same id from the same party get
// its outcome, so a provider is never asked twice for one request, but only
// when they are the same request: each key is bound to the digest of the
// request that first used it (a keyed hash of base::RequestBindingText: content and acting
// professional). A call with the same key and another digest is told so
// (kReused) and must be refused; it never joins or gets the first outcome.
//
//   switch (outcomes.Begin(key, digest, waiter)) {
//     case Claim::kReused: refuse, naming request_id (waiter not taken); break;
//     case Claim::kAnswered: break;  // waiter called with the first outcome
//     case Claim::kRun: ...
//   }
//     ledger.AppendAsync(
//         last_receipt,
//         [&](const SignedReceipt& r) {
//           return OutcomeStore::Stored(key, digest, KeptOutcome(r));
//         },
//         [&](auto stored) {
//           if (stored.ok()) outcomes.Finish(key, outcome);  // durable with the receipt
//           else outcomes.Abandon(key, unavailable);          // a retry runs it anew
//         });
//   }
//
// A finished outcome is kept in the "idempotency" family, written in
// the same batch as the request's last receipt (Ledger::Companion): one fsync
// makes both durable before anyone hears either, and a crash keeps both or
// neither. So a retry after a crash gets the acknowledged outcome and the
// provider is not asked again. What is kept is the caller's choice: the
// exchange keeps an answer without its data (the broker is a conduit, not a
// data store), while callers joining a request still in flight get the
// outcome as finished. The stored value carries the digest
// (base::BindValue); an outcome stored by an older broker, without one, is
// never handed out: a retry of it is refused like a reuse (see
// base::ReusedRequestId).
//
// Thread-safe.
#ifndef WAMS_BROKER_EXCHANGE_OUTCOME_STORE_H_
#define WAMS_BROKER_EXCHANGE_OUTCOME_STORE_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "broker/base/request_binding.h"
#include "broker/ledger/store/ledger.h"
#include "broker/storage/backend.h"
#include "google/rpc/status.pb.h"

namespace wams::exchange {

class OutcomeStore {
 public:
  using Waiter = absl::AnyInvocable<void(const google::rpc::Status&) &&>;
  enum class Claim {
    // The caller runs the request.
    kRun,
    // The same request ran or runs: the waiter gets (or got) its outcome.
    kAnswered,
    // The key belongs to another request (or to one stored without a
    // digest): refuse; the waiter was not taken.
    kReused,
  };

  // Borrows `backend`, which must outlive the store.
  explicit OutcomeStore(const storage::Backend& backend) : backend_(backend) {}

  OutcomeStore(const OutcomeStore&) = delete;
  OutcomeStore& operator=(const OutcomeStore&) = delete;

  // "<kind>/<oin>/<request id>" (storage::OutcomeKey).
  static std::string Key(absl::string_view kind, absl::string_view caller_oin,
                         absl::string_view request_id);

  // `digest` identifies the request (a keyed hash of
  // base::RequestBindingText). kRun: the
  // caller must run the request and call Finish() or Abandon(); `waiter` is
  // taken and then called with that outcome. kAnswered: `waiter` was taken
  // and was (or will be) called with the stored or in-flight outcome of the
  // same request; the caller does nothing more. kReused: the key is bound to
  // another request; `waiter` is left with the caller, `*reuse` (if given)
  // says why.
  Claim Begin(const std::string& key, absl::string_view digest, Waiter& waiter,
              base::Reuse* reuse = nullptr);

  // The record that keeps `kept` under `key` with the request's `digest`,
  // for a Ledger::Companion of the request's last receipt: what retries of
  // the same request get once it is finished.
  static storage::WriteBatch Stored(std::string key, absl::string_view digest,
                                    const google::rpc::Status& kept);

  // Calls every waiter with `outcome`. Call once the outcome's Stored()
  // record is durable with its receipt.
  void Finish(const std::string& key, const google::rpc::Status& outcome);

  // Calls every waiter with `outcome`, which was not stored: for an outcome
  // that means the request did not happen (nothing was receipted, or the
  // receipt log could not write), so that a retry with the same request id
  // runs it anew instead of getting this error forever.
  void Abandon(const std::string& key, const google::rpc::Status& outcome);

 private:
  const storage::Backend& backend_;

  struct InFlight {
    std::string digest;
    std::vector<Waiter> waiters;
  };

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, InFlight> in_flight_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wams::exchange

#endif  // WAMS_BROKER_EXCHANGE_OUTCOME_STORE_H_
