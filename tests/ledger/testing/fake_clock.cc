#include "tests/ledger/testing/fake_clock.h"

#include <algorithm>
#include <vector>

namespace wams::ledger::store {

absl::Time FakeClock::Now() {
  absl::MutexLock lock(&mu_);
  return now_;
}

bool FakeClock::AwaitWithDeadline(absl::Mutex& mu, const absl::Condition& cond,
                                  absl::Time deadline) {
  {
    absl::MutexLock lock(&mu_);
    waiters_.push_back(&mu);
  }
  // absl::Mutex re-evaluates conditions whenever `mu` is released, and
  // Advance() locks and releases every waiter's mutex after moving time.
  struct Args {
    FakeClock* clock;
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
  std::vector<absl::Mutex*> waiters;
  {
    absl::MutexLock lock(&mu_);
    now_ += d;
    waiters = waiters_;
  }
  for (absl::Mutex* m : waiters) {
    m->Lock();
    m->Unlock();
  }
}

}  // namespace wams::ledger::store
