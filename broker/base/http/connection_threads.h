#ifndef WAMS_BROKER_BASE_HTTP_CONNECTION_THREADS_H_
#define WAMS_BROKER_BASE_HTTP_CONNECTION_THREADS_H_

#include <httplib.h>

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace wams::http {

// A cpp-httplib task queue that gives each connection a thread of its own,
// up to `max_threads`, made when needed and kept for the next connection.
//
// Why not httplib's ThreadPool: httplib serves a connection on one thread
// from the TLS handshake to its last kept-alive request, so with a fixed
// pool of N threads, N idle TCP connections (no certificate needed) held
// every thread until their handshakes timed out and made every other
// client wait (measured: 200 idle connections, a client's call timed out
// at 35 s). Here a client waits only when `max_threads` connections are
// open at once; each idle one is closed after the server's read timeout.
//
//   server.new_task_queue = [] { return new ConnectionThreads(1024); };
//
// Thread-safe. shutdown() runs the queued connections and joins the threads.
class ConnectionThreads : public httplib::TaskQueue {
 public:
  explicit ConnectionThreads(size_t max_threads) : max_threads_(max_threads) {}
  ~ConnectionThreads() override { shutdown(); }

  void enqueue(std::function<void()> job) override;
  void shutdown() override;

  // Threads made so far, and of those the ones waiting for a connection
  // (for tests).
  size_t threads() const;
  size_t idle_threads() const;

 private:
  void Work();

  const size_t max_threads_;
  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> jobs_ ABSL_GUARDED_BY(mu_);
  size_t idle_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wams::http

#endif  // WAMS_BROKER_BASE_HTTP_CONNECTION_THREADS_H_
