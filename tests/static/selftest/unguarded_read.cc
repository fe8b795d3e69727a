// Planted fault for house.static_selftest: a member that its mutex guards,
// read without holding it. tests/static/check-static.sh must fail on it
// (clang-diagnostic-thread-safety-analysis). Never built;
// tests/static/check_static_selftest.sh gives it a compile command.
#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

class Counter {
 public:
  void Add() {
    absl::MutexLock lock(&mu_);
    ++count_;
  }
  int count() const { return count_; }

 private:
  mutable absl::Mutex mu_;
  int count_ ABSL_GUARDED_BY(mu_) = 0;
};

int ReadCounter(const Counter& counter) { return counter.count(); }
