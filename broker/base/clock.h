// clock.h: the broker's one time source. Every decision that ends up in a
// receipt or in stored state (a receipt's time, a case's opened_at, a
// disclosure's withholding, a CRL's staleness, the admission buckets, the
// ledger's checkpoint timer) reads the Clock it was given; the composition
// root (broker/services/broker_server.cc) makes one SystemClock and passes
// it down, and tests pass the FakeClock of tests/testing/fake_clock.h.
// Latency measured for metrics and logs keeps absl::Now() (README.md, "Time").
//
//   SystemClock clock;
//   CaseManager cases(CaseManagerDeps{..., .clock = &clock});
//   absl::Time now = clock.Now();
#ifndef WAMS_BROKER_BASE_CLOCK_H_
#define WAMS_BROKER_BASE_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace wams::base {

// A time source. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;

  // The current time.
  virtual absl::Time Now() const = 0;

  // With `mu` held, waits until `cond` holds or Now() >= `deadline`; returns
  // whether `cond` holds. `mu` is held again on return. A fake clock's
  // deadline passes when the test moves it, not when real time does.
  virtual bool AwaitWithDeadline(absl::Mutex& mu, const absl::Condition& cond,
                                 absl::Time deadline) const = 0;
};

// The system's clock (absl::Now()). Thread-safe; stateless.
class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  bool AwaitWithDeadline(absl::Mutex& mu, const absl::Condition& cond,
                         absl::Time deadline) const override {
    return mu.AwaitWithDeadline(cond, deadline);
  }
};

}  // namespace wams::base

#endif  // WAMS_BROKER_BASE_CLOCK_H_
