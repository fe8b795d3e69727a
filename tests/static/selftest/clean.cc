// The planted faults of this folder done right: tests/static/check-static.sh
// must pass it, so the self-test knows a failure comes from the fault and not
// from the set-up. Never built; tests/static/check_static_selftest.sh gives it
// a compile command.
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

std::size_t KeepAndMeasure(std::vector<std::string>& kept, std::string value) {
  const std::size_t size = value.size();
  kept.push_back(std::move(value));
  return size;
}

class Counter {
 public:
  void Add() {
    absl::MutexLock lock(&mu_);
    ++count_;
  }
  int count() const {
    absl::MutexLock lock(&mu_);
    return count_;
  }

 private:
  mutable absl::Mutex mu_;
  int count_ ABSL_GUARDED_BY(mu_) = 0;
};

int ReadCounter(const Counter& counter) { return counter.count(); }
