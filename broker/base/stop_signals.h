// stop_signals.h: waiting for SIGTERM or SIGINT in a server's main().
//
// A server stops cleanly on SIGTERM (an orchestrator) or SIGINT (Ctrl-C). The
// signals are blocked before any thread starts, so every thread inherits the
// mask and no handler runs on a random thread in the middle of its work; the
// main thread then takes them synchronously with sigwait(). Construct
// StopSignals first in main(), before anything that may start a thread (gRPC,
// RocksDB, a worker pool):
//
//   int main(int argc, char** argv) {
//     wams::base::StopSignals stop_signals;      // before any thread
//     ... start the server ...
//     int signal = stop_signals.Wait();          // SIGTERM or SIGINT
//     server->Shutdown(grace);
//   }
//
// Thread-safety: construct on the main thread before any other thread
// exists; Wait() from one thread at a time.
#ifndef WAMS_BROKER_BASE_STOP_SIGNALS_H_
#define WAMS_BROKER_BASE_STOP_SIGNALS_H_

#include <csignal>

namespace wams::base {

class StopSignals {
 public:
  // Blocks SIGTERM and SIGINT in the calling thread, and so in every thread
  // it starts from now on.
  StopSignals();

  // Leaves the signals blocked: by the time main() returns, threads that
  // inherited the mask may still be running.
  ~StopSignals() = default;

  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Blocks until SIGTERM or SIGINT arrives (or is already pending) and
  // returns its number.
  int Wait() const;

 private:
  sigset_t signals_;
};

}  // namespace wams::base

#endif  // WAMS_BROKER_BASE_STOP_SIGNALS_H_
