// clock.h: the time source and timed wait the ledger's checkpoint timer uses,
// injectable so tests drive the timer without sleeping.
//
//   FakeClock clock(absl::FromUnixSeconds(1700000000));
//   options.clock = &clock;
//   ...
//   clock.Advance(absl::Seconds(1));   // the checkpoint timer fires
#ifndef WAMS_BROKER_LEDGER_STORE_CLOCK_H_
#define WAMS_BROKER_LEDGER_STORE_CLOCK_H_

#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace wams::ledger::store {

// Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() = 0;
  // With `mu` held, waits until `cond` holds or Now() >= deadline; returns
  // whether `cond` holds. `mu` is held again on return.
  virtual bool AwaitWithDeadline(absl::Mutex& mu, const absl::Condition& cond,
                                 absl::Time deadline) = 0;
};

// The system clock. Thread-safe.
class RealClock final : public Clock {
 public:
  absl::Time Now() override { return absl::Now(); }
  bool AwaitWithDeadline(absl::Mutex& mu, const absl::Condition& cond,
                         absl::Time deadline) override {
    return mu.AwaitWithDeadline(cond, deadline);
  }
};

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

#endif  // WAMS_BROKER_LEDGER_STORE_CLOCK_H_
