// tsan_absl_mutex_shim.cc: makes Debian's uninstrumented absl::Mutex,
// absl::CondVar and absl::Notification visible to ThreadSanitizer.
//
// Why: Debian's libabsl_synchronization.so is not built with
// -fsanitize=thread, so the ABSL_TSAN_MUTEX_* annotations inside
// Mutex::Lock/Unlock/Await are compiled out. TSan then sees no
// happens-before edge through an absl::Mutex at all and reports every
// mutex-guarded field as a race, in our code and (through gpr_mu, which is
// an absl::Mutex) in gRPC's headers. This file defines the exported member
// functions again; the definitions in the executable interpose on the ones in
// the .so for every caller (our code, libgpr/libgrpc, and the .so itself,
// which calls its public entry points through the PLT). Each definition adds
// the __tsan_mutex_* annotations an instrumented Abseil would make and then
// calls the real function, found with dlsym(RTLD_NEXT, <mangled name>).
//
// Only the `tsan` preset builds this (CMake option WAMS_TSAN_COMPAT, which
// links it into every executable); it must never be in a production binary.
//
// What it models, and what not:
//   * Lock/ReaderLock/TryLock/LockWhen*: acquire after the real call returns.
//   * Unlock/ReaderUnlock: release before the real call.
//   * Await* and CondVar::Wait*: release before, acquire after (the mutex is
//     given up while waiting).
//   * Everything inside the real call is ignored by TSan, including the
//     absl::Condition functions Abseil evaluates there (possibly on another
//     thread, inside that thread's Unlock). Those predicates are therefore not
//     checked for races; keep them to reading fields the mutex guards.
//   * Notification: Notify releases on the flag's address; the waits and the
//     inline HasBeenNotified (an acquire load of the same flag, compiled into
//     our instrumented code) acquire from it.
//
// Usage: nothing to call. tests/testing/tsan_shim_probe.cc shows it working:
//   ctest --preset tsan -R TsanShim
// and WAMS_TSAN_ABSL_SHIM=off (environment) shows what TSan says without it.
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

#if !defined(__SANITIZE_THREAD__)
#error "tsan_absl_mutex_shim.cc belongs in -fsanitize=thread builds only"
#endif

namespace {

// Looks up the next definition of `mangled` (the one in the Abseil .so).
// A missing symbol means the installed Abseil differs from the one this shim
// was written for (20220623, namespace absl::debian3): better to stop than
// to run TSan with silently broken mutexes.
void* RealSymbol(const char* mangled) {
  void* symbol = dlsym(RTLD_NEXT, mangled);
  if (symbol == nullptr) {
    std::fprintf(stderr, "tsan_absl_mutex_shim: %s not found: %s\n", mangled, dlerror());
    std::abort();
  }
  return symbol;
}

// The real function as a plain function pointer: on the Itanium C++ ABI a
// non-virtual member function is called like a free function with `this`
// first. Looked up once per function (a thread-safe function-local static).
#define WAMS_REAL(type, mangled) \
  static const auto real = reinterpret_cast<type>(RealSymbol(mangled))

constexpr unsigned kRead = __tsan_mutex_read_lock;
constexpr unsigned kTry = __tsan_mutex_try_lock;
constexpr unsigned kTryFailed = __tsan_mutex_try_lock_failed;

// Same bit as kMuWriter in Abseil's mutex.cc: set while held exclusively.
constexpr intptr_t kMuWriter = 0x0008;

// Whether the caller holds `word`'s mutex shared or exclusive, read the way
// Abseil's own Await/CondVar::Wait decide it. Not instrumented: the word is
// otherwise only touched inside the .so, so TSan has no history for it and
// could only report the initialisation in the inline constructor.
__attribute__((no_sanitize_thread)) unsigned HeldModeFlags(const std::atomic<intptr_t>& word) {
  return (word.load(std::memory_order_relaxed) & kMuWriter) != 0 ? 0u : kRead;
}

// WAMS_TSAN_ABSL_SHIM=off in the environment turns the annotations off, to
// see what TSan reports without them (TsanShim.* tests do).
bool Enabled() {
  static const bool enabled = [] {
    const char* value = std::getenv("WAMS_TSAN_ABSL_SHIM");
    return value == nullptr || std::strcmp(value, "off") != 0;
  }();
  return enabled;
}

// Some entry points call others through the PLT (AwaitWithTimeout calls
// AwaitWithDeadline, for one), which lands in this file again. Only the
// outermost call on a thread annotates; nested ones go straight through.
thread_local int shim_depth = 0;

class ShimScope {
 public:
  ShimScope() : outermost_(shim_depth++ == 0 && Enabled()) {}
  ~ShimScope() { --shim_depth; }
  ShimScope(const ShimScope&) = delete;
  ShimScope& operator=(const ShimScope&) = delete;
  bool outermost() const { return outermost_; }

 private:
  const bool outermost_;
};

// A blocking lock: TSan acquires `mu` once the real call holds it.
template <typename Fn>
auto Locking(void* mu, unsigned flags, Fn&& real_call) {
  ShimScope scope;
  if (!scope.outermost()) return real_call();
  __tsan_mutex_pre_lock(mu, flags);
  if constexpr (std::is_void_v<decltype(real_call())>) {
    real_call();
    __tsan_mutex_post_lock(mu, flags, 0);
  } else {
    auto result = real_call();
    __tsan_mutex_post_lock(mu, flags, 0);
    return result;
  }
}

// Await and CondVar::Wait: `mu` is given up while inside the real call and
// held again when it returns.
template <typename Fn>
auto Waiting(void* mu, unsigned flags, Fn&& real_call) {
  ShimScope scope;
  if (!scope.outermost()) return real_call();
  __tsan_mutex_pre_unlock(mu, flags);
  if constexpr (std::is_void_v<decltype(real_call())>) {
    real_call();
    __tsan_mutex_post_unlock(mu, flags);
    __tsan_mutex_pre_lock(mu, flags);
    __tsan_mutex_post_lock(mu, flags, 0);
  } else {
    auto result = real_call();
    __tsan_mutex_post_unlock(mu, flags);
    __tsan_mutex_pre_lock(mu, flags);
    __tsan_mutex_post_lock(mu, flags, 0);
    return result;
  }
}

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

Mutex::~Mutex() {
  WAMS_REAL(void (*)(Mutex*), "_ZN4absl7debian35MutexD2Ev");
  ShimScope scope;
  if (scope.outermost()) __tsan_mutex_destroy(this, __tsan_mutex_not_static);
  real(this);
}

void Mutex::Lock() {
  WAMS_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex4LockEv");
  Locking(this, 0, [&] { real(this); });
}

void Mutex::ReaderLock() {
  WAMS_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex10ReaderLockEv");
  Locking(this, kRead, [&] { real(this); });
}

bool Mutex::TryLock() {
  WAMS_REAL(bool (*)(Mutex*), "_ZN4absl7debian35Mutex7TryLockEv");
  ShimScope scope;
  if (!scope.outermost()) return real(this);
  __tsan_mutex_pre_lock(this, kTry);
  const bool locked = real(this);
  __tsan_mutex_post_lock(this, kTry | (locked ? 0 : kTryFailed), 0);
  return locked;
}

bool Mutex::ReaderTryLock() {
  WAMS_REAL(bool (*)(Mutex*), "_ZN4absl7debian35Mutex13ReaderTryLockEv");
  ShimScope scope;
  if (!scope.outermost()) return real(this);
  __tsan_mutex_pre_lock(this, kRead | kTry);
  const bool locked = real(this);
  __tsan_mutex_post_lock(this, kRead | kTry | (locked ? 0 : kTryFailed), 0);
  return locked;
}

void Mutex::Unlock() {
  WAMS_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex6UnlockEv");
  ShimScope scope;
  if (!scope.outermost()) return real(this);
  __tsan_mutex_pre_unlock(this, 0);
  real(this);
  __tsan_mutex_post_unlock(this, 0);
}

void Mutex::ReaderUnlock() {
  WAMS_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex12ReaderUnlockEv");
  ShimScope scope;
  if (!scope.outermost()) return real(this);
  __tsan_mutex_pre_unlock(this, kRead);
  real(this);
  __tsan_mutex_post_unlock(this, kRead);
}

void Mutex::LockWhen(const Condition& cond) {
  WAMS_REAL(void (*)(Mutex*, const Condition&),
            "_ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE");
  Locking(this, 0, [&] { real(this, cond); });
}

void Mutex::ReaderLockWhen(const Condition& cond) {
  WAMS_REAL(void (*)(Mutex*, const Condition&),
            "_ZN4absl7debian35Mutex14ReaderLockWhenERKNS0_9ConditionE");
  Locking(this, kRead, [&] { real(this, cond); });
}

bool Mutex::LockWhenWithTimeout(const Condition& cond, absl::Duration timeout) {
  WAMS_REAL(bool (*)(Mutex*, const Condition&, absl::Duration),
            "_ZN4absl7debian35Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  return Locking(this, 0, [&] { return real(this, cond, timeout); });
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, absl::Time deadline) {
  WAMS_REAL(bool (*)(Mutex*, const Condition&, absl::Time),
            "_ZN4absl7debian35Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  return Locking(this, 0, [&] { return real(this, cond, deadline); });
}

bool Mutex::ReaderLockWhenWithTimeout(const Condition& cond, absl::Duration timeout) {
  WAMS_REAL(bool (*)(Mutex*, const Condition&, absl::Duration),
            "_ZN4absl7debian35Mutex25ReaderLockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  return Locking(this, kRead, [&] { return real(this, cond, timeout); });
}

bool Mutex::ReaderLockWhenWithDeadline(const Condition& cond, absl::Time deadline) {
  WAMS_REAL(bool (*)(Mutex*, const Condition&, absl::Time),
            "_ZN4absl7debian35Mutex26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  return Locking(this, kRead, [&] { return real(this, cond, deadline); });
}

void Mutex::Await(const Condition& cond) {
  WAMS_REAL(void (*)(Mutex*, const Condition&), "_ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE");
  Waiting(this, HeldModeFlags(mu_), [&] { real(this, cond); });
}

bool Mutex::AwaitWithTimeout(const Condition& cond, absl::Duration timeout) {
  WAMS_REAL(bool (*)(Mutex*, const Condition&, absl::Duration),
            "_ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  return Waiting(this, HeldModeFlags(mu_), [&] { return real(this, cond, timeout); });
}

bool Mutex::AwaitWithDeadline(const Condition& cond, absl::Time deadline) {
  WAMS_REAL(bool (*)(Mutex*, const Condition&, absl::Time),
            "_ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  return Waiting(this, HeldModeFlags(mu_), [&] { return real(this, cond, deadline); });
}

void CondVar::Wait(Mutex* mu) {
  WAMS_REAL(void (*)(CondVar*, Mutex*), "_ZN4absl7debian37CondVar4WaitEPNS0_5MutexE");
  Waiting(mu, HeldModeFlags(mu->mu_), [&] { real(this, mu); });
}

bool CondVar::WaitWithTimeout(Mutex* mu, absl::Duration timeout) {
  WAMS_REAL(bool (*)(CondVar*, Mutex*, absl::Duration),
            "_ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  return Waiting(mu, HeldModeFlags(mu->mu_), [&] { return real(this, mu, timeout); });
}

bool CondVar::WaitWithDeadline(Mutex* mu, absl::Time deadline) {
  WAMS_REAL(bool (*)(CondVar*, Mutex*, absl::Time),
            "_ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  return Waiting(mu, HeldModeFlags(mu->mu_), [&] { return real(this, mu, deadline); });
}

// The flag is stored inside the .so (invisible); HasBeenNotified loads it in
// our instrumented code with acquire order, which TSan pairs with a release
// on the same address.
void Notification::Notify() {
  WAMS_REAL(void (*)(Notification*), "_ZN4absl7debian312Notification6NotifyEv");
  if (Enabled()) __tsan_release(&notified_yet_);
  real(this);
}

void Notification::WaitForNotification() const {
  WAMS_REAL(void (*)(const Notification*),
            "_ZNK4absl7debian312Notification19WaitForNotificationEv");
  real(this);
  if (Enabled()) __tsan_acquire(const_cast<std::atomic<bool>*>(&notified_yet_));
}

bool Notification::WaitForNotificationWithTimeout(absl::Duration timeout) const {
  WAMS_REAL(bool (*)(const Notification*, absl::Duration),
            "_ZNK4absl7debian312Notification30WaitForNotificationWithTimeoutENS0_8DurationE");
  const bool notified = real(this, timeout);
  if (notified && Enabled()) __tsan_acquire(const_cast<std::atomic<bool>*>(&notified_yet_));
  return notified;
}

bool Notification::WaitForNotificationWithDeadline(absl::Time deadline) const {
  WAMS_REAL(bool (*)(const Notification*, absl::Time),
            "_ZNK4absl7debian312Notification31WaitForNotificationWithDeadlineENS0_4TimeE");
  const bool notified = real(this, deadline);
  if (notified && Enabled()) __tsan_acquire(const_cast<std::atomic<bool>*>(&notified_yet_));
  return notified;
}

ABSL_NAMESPACE_END
}  // namespace absl
