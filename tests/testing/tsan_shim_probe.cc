// tsan_shim_probe: shows that ThreadSanitizer, with tsan_absl_mutex_shim.cc
// linked in, sees absl::Mutex, CondVar and Notification as synchronisation
// and still reports real races around them.
//
// Each scenario orders its two threads with a relaxed atomic "baton", which
// gives TSan no happens-before edge; only the absl primitive under test can.
// So a guarded scenario is reported without the shim (Debian's Abseil is not
// instrumented) and silent with it, and a racy scenario is reported either
// way, every run, whatever the scheduling.
//
// Usage (ctest runs these as TsanShim.*):
//   tsan_shim_probe guarded            # exits 0, no TSan report expected
//   tsan_shim_probe two-mutexes        # TSan must report a data race
//   tsan_shim_probe write-after-unlock # TSan must report a data race
//   tsan_shim_probe write-after-notify # TSan must report a data race
#include <atomic>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace {

// A one-way signal TSan cannot see: relaxed atomics create no happens-before.
class Baton {
 public:
  void Pass() { passed_.store(true, std::memory_order_relaxed); }
  void Await() const {
    while (!passed_.load(std::memory_order_relaxed)) std::this_thread::yield();
  }

 private:
  std::atomic<bool> passed_{false};
};

// Runs `first` and then `second` on two threads, `second` starting its body
// only after `first` has finished (by the invisible baton).
void RunInOrder(const std::function<void()>& first, const std::function<void()>& second) {
  Baton baton;
  std::thread a([&] {
    first();
    baton.Pass();
  });
  std::thread b([&] {
    baton.Await();
    second();
  });
  a.join();
  b.join();
}

// Runs `waiter` and `signaller` concurrently; the waiter blocks in Abseil.
void RunConcurrently(const std::function<void()>& waiter, const std::function<void()>& signaller) {
  std::thread a(waiter);
  std::thread b(signaller);
  a.join();
  b.join();
}

// Each scenario gets fresh heap objects so TSan cannot pair its accesses with
// those of an earlier scenario.
struct Shared {
  absl::Mutex mu;
  absl::Mutex other_mu;
  absl::CondVar cv;
  absl::Notification note;
  bool ready = false;  // guarded by mu
  int value = 0;       // guarded by mu (or published by note)
};

bool IsReady(bool* ready) { return *ready; }

void Guarded() {
  {  // Lock / Unlock.
    auto s = std::make_unique<Shared>();
    RunInOrder(
        [&] {
          absl::MutexLock l(&s->mu);
          ++s->value;
        },
        [&] {
          absl::MutexLock l(&s->mu);
          ++s->value;
        });
  }
  {  // A writer, then a reader holding the lock shared.
    auto s = std::make_unique<Shared>();
    RunInOrder(
        [&] {
          absl::MutexLock l(&s->mu);
          s->value = 1;
        },
        [&] {
          absl::ReaderMutexLock l(&s->mu);
          std::printf("read %d\n", s->value);
        });
    s->value = 2;  // main thread, after the joins
  }
  {  // TryLock, spinning until it succeeds.
    auto s = std::make_unique<Shared>();
    RunInOrder(
        [&] {
          absl::MutexLock l(&s->mu);
          s->value = 1;
        },
        [&] {
          while (!s->mu.TryLock()) std::this_thread::yield();
          s->value = 2;
          s->mu.Unlock();
        });
  }
  {  // Await: the condition is met by another thread's Unlock.
    auto s = std::make_unique<Shared>();
    RunConcurrently(
        [&] {
          absl::MutexLock l(&s->mu);
          s->mu.Await(absl::Condition(&IsReady, &s->ready));
          s->value += 1;
        },
        [&] {
          absl::MutexLock l(&s->mu);
          s->value = 41;
          s->ready = true;
        });
  }
  {  // LockWhen and AwaitWithTimeout.
    auto s = std::make_unique<Shared>();
    RunConcurrently(
        [&] {
          s->mu.LockWhen(absl::Condition(&IsReady, &s->ready));
          s->value += 1;
          s->ready = false;
          s->mu.AwaitWithTimeout(absl::Condition(&IsReady, &s->ready), absl::Seconds(60));
          s->value += 1;
          s->mu.Unlock();
        },
        [&] {
          {
            absl::MutexLock l(&s->mu);
            s->value = 40;
            s->ready = true;
          }
          absl::MutexLock l(&s->mu, absl::Condition(
                                        +[](bool* r) { return !*r; }, &s->ready));
          s->value += 10;
          s->ready = true;
        });
  }
  {  // CondVar::Wait and WaitWithTimeout.
    auto s = std::make_unique<Shared>();
    RunConcurrently(
        [&] {
          absl::MutexLock l(&s->mu);
          while (!s->ready) s->cv.Wait(&s->mu);
          s->value += 1;
          s->ready = false;
          s->cv.SignalAll();
          while (!s->ready) s->cv.WaitWithTimeout(&s->mu, absl::Seconds(60));
          s->value += 1;
        },
        [&] {
          absl::MutexLock l(&s->mu);
          s->value = 40;
          s->ready = true;
          s->cv.Signal();
          while (s->ready) s->cv.Wait(&s->mu);
          s->value += 10;
          s->ready = true;
          s->cv.Signal();
        });
  }
  {  // Notification, slow path: the waiter blocks inside the .so.
    auto s = std::make_unique<Shared>();
    RunConcurrently(
        [&] {
          s->note.WaitForNotification();
          s->value += 1;
        },
        [&] {
          s->value = 41;
          s->note.Notify();
        });
  }
  {  // Notification, fast path: already notified, no mutex taken.
    auto s = std::make_unique<Shared>();
    RunInOrder(
        [&] {
          s->value = 41;
          s->note.Notify();
        },
        [&] {
          s->note.WaitForNotification();
          s->value += 1;
        });
  }
  {  // Notification polled with the inline HasBeenNotified.
    auto s = std::make_unique<Shared>();
    RunConcurrently(
        [&] {
          while (!s->note.HasBeenNotified()) std::this_thread::yield();
          s->value += 1;
        },
        [&] {
          s->value = 41;
          s->note.Notify();
        });
  }
  {  // WaitForNotificationWithTimeout that succeeds.
    auto s = std::make_unique<Shared>();
    RunInOrder(
        [&] {
          s->value = 41;
          s->note.Notify();
        },
        [&] {
          if (s->note.WaitForNotificationWithTimeout(absl::Seconds(60))) s->value += 1;
        });
  }
  {  // A mutex destroyed and another built at the same address.
    for (int i = 0; i < 3; ++i) {
      auto s = std::make_unique<Shared>();
      RunInOrder(
          [&] {
            absl::MutexLock l(&s->mu);
            ++s->value;
          },
          [&] {
            absl::MutexLock l(&s->mu);
            ++s->value;
          });
    }
  }
  std::printf("guarded scenarios done\n");
}

// Real bug: two threads guard the same field with different mutexes.
void TwoMutexes() {
  auto s = std::make_unique<Shared>();
  RunInOrder(
      [&] {
        absl::MutexLock l(&s->mu);
        ++s->value;
      },
      [&] {
        absl::MutexLock l(&s->other_mu);
        ++s->value;
      });
}

// Real bug: the write happens after the unlock that should have covered it.
void WriteAfterUnlock() {
  auto s = std::make_unique<Shared>();
  RunInOrder(
      [&] {
        s->mu.Lock();
        s->mu.Unlock();
        ++s->value;
      },
      [&] {
        absl::MutexLock l(&s->mu);
        ++s->value;
      });
}

// Real bug: the value is written after Notify, so the waiter may miss it.
void WriteAfterNotify() {
  auto s = std::make_unique<Shared>();
  RunInOrder(
      [&] {
        s->note.Notify();
        s->value = 41;
      },
      [&] {
        s->note.WaitForNotification();
        s->value += 1;
      });
}

}  // namespace

int main(int argc, char** argv) {
  const char* mode = argc == 2 ? argv[1] : "";
  if (std::strcmp(mode, "guarded") == 0) {
    Guarded();
  } else if (std::strcmp(mode, "two-mutexes") == 0) {
    TwoMutexes();
  } else if (std::strcmp(mode, "write-after-unlock") == 0) {
    WriteAfterUnlock();
  } else if (std::strcmp(mode, "write-after-notify") == 0) {
    WriteAfterNotify();
  } else {
    std::fprintf(stderr, "usage: %s guarded|two-mutexes|write-after-unlock|write-after-notify\n",
                 argv[0]);
    return 2;
  }
  return 0;
}
