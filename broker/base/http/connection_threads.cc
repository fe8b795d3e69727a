#include "broker/base/http/connection_threads.h"

#include <utility>

namespace wams::http {

void ConnectionThreads::enqueue(std::function<void()> job) {
  absl::MutexLock lock(&mu_);
  jobs_.push_back(std::move(job));
  // A thread waiting for work takes it; otherwise one more, while allowed.
  if (idle_ < jobs_.size() && threads_.size() < max_threads_) {
    threads_.emplace_back([this] { Work(); });
  }
}

void ConnectionThreads::Work() {
  while (true) {
    std::function<void()> job;
    {
      absl::MutexLock lock(&mu_);
      ++idle_;
      mu_.Await(absl::Condition(
          +[](ConnectionThreads* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
            return !self->jobs_.empty() || self->stopping_;
          },
          this));
      --idle_;
      // Queued connections are served even when stopping: each job closes
      // its socket.
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

void ConnectionThreads::shutdown() {
  std::vector<std::thread> threads;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    threads.swap(threads_);
  }
  for (std::thread& thread : threads) thread.join();
}

size_t ConnectionThreads::threads() const {
  absl::MutexLock lock(&mu_);
  return threads_.size();
}

size_t ConnectionThreads::idle_threads() const {
  absl::MutexLock lock(&mu_);
  return idle_;
}

}  // namespace wams::http
