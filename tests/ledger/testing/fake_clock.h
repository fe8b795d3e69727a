// fake_clock.h: a ledger Clock that moves only when a test says so, so the
// checkpoint timer fires without sleeping. Test-only (wams::ledger_testing).
//
//   FakeClock clock(absl::FromUnixSeconds(1700000000));
//   options.clock = &clock;
//   ...
//   clock.Advance(absl::Seconds(1));   // the checkpoint timer fires
#ifndef WAMS_TESTS_LEDGER_TESTING_FAKE_CLOCK_H_
#define WAMS_TESTS_LEDGER_TESTING_FAKE_CLOCK_H_

#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/ledger/store/clock.h"

namespace wams::ledger::store {

// A clock that moves only when told. Thread-safe; waiters must not be
// destroyed concurrently with Advance().
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::UnixEpoch()) : now_(start) {}
  absl::Time Now() override;
  bool AwaitWithDeadline(absl::Mutex& mu, const absl::Condition& cond,
                         absl::Time deadline) override;
  // Moves time forward and wakes every waiter so it re-checks its deadline.
  void Advance(absl::Duration d);

 private:
  absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::Mutex*> waiters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wams::ledger::store

#endif  // WAMS_TESTS_LEDGER_TESTING_FAKE_CLOCK_H_
