// witness_pusher.h: the broker as a C2SP tlog-witness client. After each
// new checkpoint it pushes the checkpoint, with a consistency proof from
// the size the witness last cosigned, to every configured witness that has
// a URL, verifies the cosignature it gets back against that witness's key,
// and stores it with the checkpoint (ledger/store/cosignatures.h), where
// AuditService.GetCheckpoint and both exports serve it.
//
//   WAMS_ASSIGN_OR_RETURN(std::vector<WitnessTarget> targets, LoadWitnessTargets(config));
//   WitnessPusher pusher(*ledger, *backend, std::move(targets), {});
//   pusher.Start();        // a background thread
//   ...
//   pusher.Stop();         // before the ledger goes
//
// Appends never wait for it: it has one thread of its own, which waits on
// the ledger's newest checkpoint, so a burst of checkpoints is one push
// (the newest wins; nothing queues). A witness that did not cosign the
// newest is retried every retry_interval. The size a witness last cosigned
// is kept in memory, starts at 0 and is learnt from the witness's 409. A
// failing witness is logged with its name, at most once a log_interval
// while it keeps failing, and once when it works again.
//
// Thread-safe: Stats() from any thread; Start and Stop from one.
#ifndef WAMS_BROKER_WITNESSING_WITNESS_PUSHER_H_
#define WAMS_BROKER_WITNESSING_WITNESS_PUSHER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/ledger/note/note.h"
#include "broker/ledger/store/ledger.h"
#include "broker/storage/backend.h"
#include "broker/witnessing/witness_client.h"
#include "wams/broker/v1/config.pb.h"

namespace wams::witnessing {

// A witness the broker pushes to.
struct WitnessTarget {
  ledger::CosignatureVerifier key;
  std::string url;
  std::string ca_file;
};

// The witnesses of `config.witnesses` that have a url, validated:
// INVALID_ARGUMENT naming the field (witnesses[i].verifier_key, .url,
// .ca_file) for a bad key or URL, a url without ca_file or a ca_file without
// url; NOT_FOUND / FAILED_PRECONDITION (naming it) for an unreadable CA file.
absl::StatusOr<std::vector<WitnessTarget>> LoadWitnessTargets(
    const wams::broker::v1::BrokerConfig& config);

struct WitnessPusherOptions {
  // Connect, write and read time of one request. Default: 10 s.
  absl::Duration timeout = absl::Seconds(10);
  // How soon a witness that has not cosigned the newest checkpoint is asked
  // again. Default: 5 s.
  absl::Duration retry_interval = absl::Seconds(5);
  // At most one failure line per witness per interval. Default: 60 s.
  absl::Duration log_interval = absl::Seconds(60);
};

// Per witness, for the metrics (scrape gauges).
struct WitnessStats {
  std::string name;
  // The newest checkpoint it cosigned for this broker (since start).
  uint64_t cosigned_size = 0;
  uint64_t cosignatures = 0;
  uint64_t failures = 0;
};

class WitnessPusher {
 public:
  // Borrows `ledger` and `backend`, which must outlive it. A target whose
  // URL does not parse is a bug here (LoadWitnessTargets checked it).
  WitnessPusher(const ledger::store::Ledger& ledger, const storage::Backend& backend,
                std::vector<WitnessTarget> targets, WitnessPusherOptions options);
  WitnessPusher(const WitnessPusher&) = delete;
  WitnessPusher& operator=(const WitnessPusher&) = delete;
  // Stops the thread.
  ~WitnessPusher();

  // Starts the thread (nothing with no targets). Call at most once.
  void Start();
  // Stops and joins it; a request under way finishes or times out first.
  // Idempotent.
  void Stop();

  std::vector<WitnessStats> Stats() const;

  // One push of `checkpoint` to witness `index` (what the thread does):
  // OK once its verified cosignature is stored. FAILED_PRECONDITION when the
  // witness knows a larger tree; UNAVAILABLE when it cannot be reached;
  // PERMISSION_DENIED for its 403/404, INVALID_ARGUMENT for 400,
  // ABORTED for 422 or a second 409, UNAUTHENTICATED when its answer holds
  // no valid cosignature by its key. Not concurrently with the thread.
  absl::Status PushTo(size_t index, const wams::broker::v1::Checkpoint& checkpoint);

 private:
  struct Witness {
    WitnessTarget target;
    std::unique_ptr<WitnessClient> client;
    // The size the witness last cosigned, as far as the broker knows.
    uint64_t known_size = 0;
    absl::Time last_logged = absl::InfinitePast();
    bool failing = false;
  };

  void Loop();
  // Pushes the newest checkpoint to every witness that lacks it.
  void PushAll(const wams::broker::v1::Checkpoint& checkpoint);
  // One request; `old_size` and the proof from it.
  absl::StatusOr<WitnessAnswer> Send(Witness& witness, uint64_t old_size,
                                     const wams::broker::v1::Checkpoint& checkpoint);
  // Stores the answer's line by this witness's key that verifies over the
  // checkpoint; UNAUTHENTICATED when there is none.
  absl::Status StoreVerified(const Witness& witness, const wams::broker::v1::Checkpoint& checkpoint,
                             std::string_view body);
  // Counts the outcome and logs a failure (rate-limited) or a recovery.
  void Note(Witness& witness, size_t index, const absl::Status& status, uint64_t size);

  const ledger::store::Ledger& ledger_;
  const storage::Backend& backend_;
  const WitnessPusherOptions options_;
  // Touched by the pusher thread only (or PushTo's caller, not at once).
  std::vector<Witness> witnesses_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<WitnessStats> stats_ ABSL_GUARDED_BY(mu_);

  std::thread thread_;
};

}  // namespace wams::witnessing

#endif  // WAMS_BROKER_WITNESSING_WITNESS_PUSHER_H_
