// clock.h: the time source and timed wait the ledger's checkpoint timer uses,
// injectable so tests drive the timer without sleeping (FakeClock, in the
// test-only tests/ledger/testing/fake_clock.h).
//
//   FakeClock clock(absl::FromUnixSeconds(1700000000));
//   options.clock = &clock;
//   ...
//   clock.Advance(absl::Seconds(1));   // the checkpoint timer fires
#ifndef WAMS_BROKER_LEDGER_STORE_CLOCK_H_
#define WAMS_BROKER_LEDGER_STORE_CLOCK_H_

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

}  // namespace wams::ledger::store

#endif  // WAMS_BROKER_LEDGER_STORE_CLOCK_H_
