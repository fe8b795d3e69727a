#include "broker/base/stop_signals.h"

#include <pthread.h>

namespace wams::base {

StopSignals::StopSignals() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGTERM);
  sigaddset(&signals_, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
}

int StopSignals::Wait() const {
  int signal_number = 0;
  // sigwait fails only for an invalid set, which the constructor rules out.
  while (sigwait(&signals_, &signal_number) != 0) {
  }
  return signal_number;
}

}  // namespace wams::base
