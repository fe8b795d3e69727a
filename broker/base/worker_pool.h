// worker_pool.h: a fixed set of threads for work that may block (a synced
// write, a durable receipt), so gRPC's callback threads never wait on disk.
//
//   WorkerPool pool(4);
//   pool.Schedule([reactor] { ...; reactor->Finish(status); });
//
// Thread-safe. The destructor runs what is queued, then joins.
#ifndef WAMS_BROKER_BASE_WORKER_POOL_H_
#define WAMS_BROKER_BASE_WORKER_POOL_H_

#include <deque>
#include <thread>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

namespace wams::base {

class WorkerPool {
 public:
  explicit WorkerPool(int threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Schedule(absl::AnyInvocable<void() &&> work);

 private:
  void Run();

  absl::Mutex mu_;
  std::deque<absl::AnyInvocable<void() &&>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace wams::base

#endif  // WAMS_BROKER_BASE_WORKER_POOL_H_
