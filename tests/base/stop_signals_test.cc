// StopSignals with real signals sent to the test process: the signal a
// server is stopped with reaches Wait(), whether it arrives before or during
// the wait, and threads started afterwards never take it.
#include "broker/base/stop_signals.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <thread>

#include "gtest/gtest.h"

namespace wams::base {
namespace {

// Whether `signal_number` is blocked in the calling thread.
bool IsBlockedHere(int signal_number) {
  sigset_t mask;
  sigemptyset(&mask);
  pthread_sigmask(SIG_BLOCK, nullptr, &mask);
  return sigismember(&mask, signal_number) == 1;
}

class StopSignalsTest : public ::testing::TestWithParam<int> {};

TEST_P(StopSignalsTest, WaitReturnsTheSignalSentToTheProcessFromAnotherThread) {
  const StopSignals stop_signals;
  // The sender is a thread of its own, started after the mask is set, as a
  // server's threads are; kill() addresses the whole process.
  std::thread sender([signal_number = GetParam()] { ::kill(::getpid(), signal_number); });
  EXPECT_EQ(stop_signals.Wait(), GetParam());
  sender.join();
}

TEST_P(StopSignalsTest, SignalSentBeforeWaitIsNotLost) {
  const StopSignals stop_signals;
  ASSERT_EQ(::kill(::getpid(), GetParam()), 0);  // pending: blocked everywhere
  EXPECT_EQ(stop_signals.Wait(), GetParam());
}

TEST_P(StopSignalsTest, ThreadsStartedAfterwardsKeepTheSignalBlocked) {
  const StopSignals stop_signals;
  bool blocked_in_thread = false;
  std::thread worker([&] { blocked_in_thread = IsBlockedHere(GetParam()); });
  worker.join();
  EXPECT_TRUE(IsBlockedHere(GetParam()));
  EXPECT_TRUE(blocked_in_thread);
}

INSTANTIATE_TEST_SUITE_P(TermAndInt, StopSignalsTest, ::testing::Values(SIGTERM, SIGINT),
                         [](const ::testing::TestParamInfo<int>& param_info) {
                           return param_info.param == SIGTERM ? "Sigterm" : "Sigint";
                         });

}  // namespace
}  // namespace wams::base
