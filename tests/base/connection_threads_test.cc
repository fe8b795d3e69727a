// ConnectionThreads (broker/base/http): a connection that never finishes
// cannot hold up the next one, the thread count stays bounded, and a
// shutdown serves what is queued.
#include "broker/base/http/connection_threads.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace wams::http {
namespace {

TEST(ConnectionThreadsTest, BlockedJobsDoNotHoldUpTheNextOne) {
  ConnectionThreads threads(64);
  absl::Notification release;
  // 40 "idle connections" waiting for bytes that do not come.
  for (int i = 0; i < 40; ++i) threads.enqueue([&release] { release.WaitForNotification(); });
  absl::Notification served;
  threads.enqueue([&served] { served.Notify(); });
  // Would wait for ever on a pool of fewer than 41 threads.
  served.WaitForNotification();
  EXPECT_EQ(threads.threads(), 41u);
  release.Notify();
  threads.shutdown();
}

TEST(ConnectionThreadsTest, ReusesIdleThreadsAndStaysWithinItsMaximum) {
  ConnectionThreads threads(4);
  for (int round = 0; round < 20; ++round) {
    absl::Notification done;
    threads.enqueue([&done] { done.Notify(); });
    done.WaitForNotification();
    // The thread is back, waiting, before the next connection comes.
    while (threads.idle_threads() < threads.threads()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  EXPECT_EQ(threads.threads(), 1u);  // one connection at a time: one thread, reused
  absl::Notification release;
  std::atomic<int> ran{0};
  for (int i = 0; i < 10; ++i) {
    threads.enqueue([&release, &ran] {
      release.WaitForNotification();
      ++ran;
    });
  }
  EXPECT_LE(threads.threads(), 4u);
  release.Notify();
  // The six beyond the maximum waited in the queue and are run too.
  threads.shutdown();
  EXPECT_EQ(ran.load(), 10);
}

}  // namespace
}  // namespace wams::http
