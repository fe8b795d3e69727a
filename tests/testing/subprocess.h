// subprocess.h: a real child process for integration and crash tests.
//
//   Subprocess broker({broker_path, "--config", config}, dir.File("broker.log"));
//   std::string line = broker.ReadStdoutLine(absl::Seconds(10));
//   int code = broker.Stop(SIGTERM);
#ifndef WAMS_TESTS_TESTING_SUBPROCESS_H_
#define WAMS_TESTS_TESTING_SUBPROCESS_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace wams::testing {

class Subprocess {
 public:
  // Starts argv[0] with argv; stdout is a pipe read by ReadStdoutLine, stderr
  // goes to `stderr_file`.
  Subprocess(const std::vector<std::string>& argv, const std::string& stderr_file);
  ~Subprocess();  // SIGKILLs a child still running
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  // The next stdout line (without "\n"), or nullopt at EOF or after `timeout`.
  std::optional<std::string> ReadStdoutLine(absl::Duration timeout);
  // Sends `signal` and waits; returns the exit code, or 128 + signal number
  // when the child died of a signal.
  int Stop(int signal);
  // Waits for the child to exit by itself; exit code as Stop().
  int Wait();

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string buffer_;
  std::optional<int> exit_code_;
};

// Runs argv to completion; returns the exit code and fills `output` with
// stdout and stderr together.
int RunCommand(const std::vector<std::string>& argv, std::string* output);

}  // namespace wams::testing

#endif  // WAMS_TESTS_TESTING_SUBPROCESS_H_
