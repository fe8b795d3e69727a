// fake_clock.h: the one test clock (wams::fake_clock). Time moves only when a
// test says so: the ledger's checkpoint timer fires, a receipt carries a
// known instant, a CRL goes stale, without sleeping. Test-only.
//
//   FakeClock clock(absl::FromUnixSeconds(1700000000));
//   options.clock = &clock;            // anything that takes a base::Clock
//   ...
//   clock.Advance(absl::Seconds(1));   // the checkpoint timer fires
//   clock.Set(absl::FromUnixSeconds(1800000000));
#ifndef WAMS_TESTS_TESTING_FAKE_CLOCK_H_
#define WAMS_TESTS_TESTING_FAKE_CLOCK_H_

#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "broker/base/clock.h"

namespace wams::testing {

// A clock that moves only when told. Thread-safe; waiters must not be
// destroyed concurrently with Advance() or Set().
class FakeClock final : public base::Clock {
 public:
  explicit FakeClock(absl::Time start = absl::UnixEpoch()) : now_(start) {}
  absl::Time Now() const override;
  bool AwaitWithDeadline(absl::Mutex& mu, const absl::Condition& cond,
                         absl::Time deadline) const override;
  // Moves time forward by `d` and wakes every waiter so it re-checks its
  // deadline.
  void Advance(absl::Duration d);
  // Sets the time to `t` (forward or back) and wakes every waiter.
  void Set(absl::Time t);

 private:
  void WakeWaiters();

  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
  mutable std::vector<absl::Mutex*> waiters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wams::testing

#endif  // WAMS_TESTS_TESTING_FAKE_CLOCK_H_
