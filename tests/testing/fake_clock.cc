#include "tests/testing/fake_clock.h"

#include <algorithm>
#include <vector>

namespace wams::testing {

absl::Time FakeClock::Now() const {
  absl::MutexLock lock(&mu_);
  return now_;
}

bool FakeClock::AwaitWithDeadline(absl::Mutex& mu, const absl::Condition& cond,
                                  absl::Time deadline) const {
  {
    absl::MutexLock lock(&mu_);
    waiters_.push_back(&mu);
  }
  // absl::Mutex re-evaluates conditions whenever `mu` is released, and
  // WakeWaiters() locks and releases every waiter's mutex after moving time.
  struct Args {
    const FakeClock* clock;
    const absl::Condition* cond;
    absl::Time deadline;
  } args{this, &cond, deadline};
  mu.Await(absl::Condition(
      +[](Args* a) { return a->cond->Eval() || a->clock->Now() >= a->deadline; }, &args));
  bool result = cond.Eval();
  {
    absl::MutexLock lock(&mu_);
    waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &mu));
  }
  return result;
}

void FakeClock::Advance(absl::Duration d) {
  {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }
  WakeWaiters();
}

void FakeClock::Set(absl::Time t) {
  {
    absl::MutexLock lock(&mu_);
    now_ = t;
  }
  WakeWaiters();
}

void FakeClock::WakeWaiters() {
  std::vector<absl::Mutex*> waiters;
  {
    absl::MutexLock lock(&mu_);
    waiters = waiters_;
  }
  for (absl::Mutex* m : waiters) {
    m->Lock();
    m->Unlock();
  }
}

}  // namespace wams::testing
